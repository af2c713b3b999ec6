using System.Diagnostics;

namespace Commons.StandIns.Ollama.Tests.Infrastructure;

/// <summary>Waits for a state by looking again until it holds or a deadline passes; never a blind sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new AssertionException($"Waited {timeout.TotalSeconds:0.#} s for {describe()}");
            }

            await Task.Delay(Interval);
        }
    }
}
