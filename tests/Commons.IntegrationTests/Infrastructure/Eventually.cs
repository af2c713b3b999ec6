using System.Diagnostics;
using System.Text.Json;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>
/// Waits for a state by asking again until it holds or a deadline passes. A failure says what was awaited and the
/// last value seen, so a timeout reads as a finding rather than a hang.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Observes a value until <paramref name="until"/> accepts it and returns that value. An observation that throws
    /// (a bridge being restarted refuses connections) counts as a value not accepted yet.
    /// </summary>
    public static async Task<T> Async<T>(Func<Task<T>> observe, Func<T, bool> until, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = "nothing: no observation finished";
        while (true)
        {
            try
            {
                var value = await observe();
                if (until(value))
                {
                    return value;
                }

                last = Show(value);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }

            if (clock.Elapsed >= timeout)
            {
                throw new AssertionException(
                    $"Waited {timeout.TotalSeconds:0.#} s for {what}; the last value seen was: {last}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static Task Async(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Async(condition, ok => ok, timeout, what);

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        string text => JsonSerializer.Serialize(text),
        _ => JsonSerializer.Serialize(value, Json.Options),
    };
}
