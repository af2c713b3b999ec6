using System.Globalization;
using Commons.Bridge.Merit;
using Commons.Contracts;
using Commons.Tests.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class MeritRecomputeJobTests : IDisposable
{
    private static readonly MeritPolicy Policy = MeritPolicyLoader.LoadFile(Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml"));

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(MeritFacts.Now);
    private readonly Mock<IMeritService> _merit = new();
    private readonly StaleEvaluations _stale = new();

    public void Dispose() => _data.Dispose();

    [Test]
    public async Task RunAsync_EvaluatesThoseNeverOrLongAgoEvaluated_LongestWaitingFirst()
    {
        var job = await CreateSutAsync();
        var evaluated = new List<string>();
        _merit.Setup(m => m.EvaluateAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((user, _) => evaluated.Add(user))
            .ReturnsAsync(Report(stale: false));

        var tried = await job.RunAsync(CancellationToken.None);

        Assert.That(tried, Is.EqualTo(2));
        Assert.That(evaluated, Is.EqualTo(new[] { "never", "yesterday" }), "'recent' is fresh and 'unlinked' has no forge identity");
    }

    [Test]
    public async Task RunAsync_AUserWhoseEvaluationStaysStale_DoesNotHoldUpTheOthers()
    {
        var job = await CreateSutAsync();
        var evaluated = new List<string>();
        _merit.Setup(m => m.EvaluateAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(async (string user, CancellationToken _) =>
            {
                evaluated.Add(user);
                if (user == "never")
                {
                    return Report(stale: true); // a stale evaluation stores nothing, as MeritService does
                }

                var at = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                await _data.ExecuteAsync(
                    "INSERT INTO merit_evaluations (id, user_id, evaluated_at, score, computed_tier, report_json) "
                    + $"VALUES ('e-{user}-{at}', '{user}', {at}, 0, 'guest', '{{}}')");
                return Report(stale: false);
            });

        await job.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await job.RunAsync(CancellationToken.None);

        Assert.That(evaluated, Is.EqualTo(new[] { "never", "yesterday" }), "the stale one is not first in every batch");
        Assert.That(second, Is.Zero, "'yesterday' is fresh now and 'never' waits out its back-off");

        _time.Advance(Policy.RecomputeMaxAge / 4);
        await job.RunAsync(CancellationToken.None);
        Assert.That(evaluated[^1], Is.EqualTo("never"), "after the back-off it is tried again");
    }

    [Test]
    public async Task RunAsync_WhenOneEvaluationFails_GoesOnWithTheOthers()
    {
        var job = await CreateSutAsync();
        _merit.Setup(m => m.EvaluateAsync("never", It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("boom"));
        _merit.Setup(m => m.EvaluateAsync("yesterday", It.IsAny<CancellationToken>())).ReturnsAsync(Report(stale: false));

        var tried = await job.RunAsync(CancellationToken.None);

        Assert.That(tried, Is.EqualTo(2));
        _merit.Verify(m => m.EvaluateAsync("yesterday", It.IsAny<CancellationToken>()), Times.Once);
    }

    private async Task<MeritRecomputeJob> CreateSutAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        foreach (var (user, evaluatedHoursAgo, linked) in new (string, int?, bool)[]
        {
            ("recent", 1, true), ("yesterday", 30, true), ("never", null, true), ("unlinked", null, false),
        })
        {
            await _data.ExecuteAsync($"INSERT INTO users (id, created_at) VALUES ('{user}', 0)");
            if (linked)
            {
                await _data.ExecuteAsync(
                    "INSERT INTO identities (provider, provider_id, login, user_id, account_created_at, linked_at) "
                    + $"VALUES ('github', '{user}', '{user}', '{user}', 0, 0)");
            }

            if (evaluatedHoursAgo is { } hours)
            {
                var at = MeritFacts.Now.AddHours(-hours).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                await _data.ExecuteAsync(
                    "INSERT INTO merit_evaluations (id, user_id, evaluated_at, score, computed_tier, report_json) "
                    + $"VALUES ('e-{user}', '{user}', {at}, 0, 'guest', '{{}}')");
            }
        }

        return new MeritRecomputeJob(
            new MeritStore(_data.Database, _time), _merit.Object, Policy, _stale, _time, NullLogger<MeritRecomputeJob>.Instance);
    }

    private static MeritReport Report(bool stale) => MeritEngine.Evaluate([], MeritFacts.Now) with { Stale = stale };
}
