using System.Collections.Concurrent;

namespace Commons.Bridge.Merit.Http;

/// <summary>
/// The answers of one evaluation that came from the cache because the forge could not be asked. A report built on
/// any of them is marked stale, with <see cref="Summary"/> as the reason.
/// </summary>
public sealed class StaleAnswers
{
    private readonly ConcurrentQueue<(string Url, string Reason)> _answers = new();

    public int Count => _answers.Count;

    public void Add(string url, string reason) => _answers.Enqueue((url, reason));

    /// <summary>How many answers were stale and the distinct reasons; null when none was.</summary>
    public string? Summary
    {
        get
        {
            if (_answers.IsEmpty)
            {
                return null;
            }

            var reasons = _answers.Select(a => a.Reason).Distinct(StringComparer.Ordinal);
            return $"{_answers.Count} forge answer(s) came from the cache: {string.Join("; ", reasons)}";
        }
    }
}
