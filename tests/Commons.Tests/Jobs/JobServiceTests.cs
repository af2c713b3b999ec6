using Commons.Bridge.Api;
using Commons.Bridge.Models;
using Commons.Bridge.Quota;
using Commons.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Moq;

namespace Commons.Tests.Jobs;

/// <summary>Submits as the API makes them: validation, the user's tier, the quota ledger, then sbatch.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class JobServiceTests : IDisposable
{
    private static readonly TierLimits Contributor = new("contributor", 24, 1, 240, null);

    private readonly JobServiceRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Test]
    public async Task SubmitAsync_WhenTheTierAllowsIt_RecordsTheReservationAndRunsSbatch()
    {
        var service = await CreateSutAsync();

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "a100:2", time: "90m"), CancellationToken.None);

        Assert.That(outcome.Created, Is.True);
        Assert.That(outcome.Refusal, Is.Null);
        Assert.That(outcome.Job!.State, Is.EqualTo(JobStates.Queued));
        Assert.That(outcome.Job.GpuCount, Is.EqualTo(2));
        Assert.That(outcome.Job.QuotaPeriod, Is.EqualTo("2026-11"));
        Assert.That(outcome.Job.ReservedGpuSeconds, Is.EqualTo(2 * 90 * 60));
        Assert.That(_rig.Commands.Count(c => c.Contains("sbatch", StringComparison.Ordinal)), Is.EqualTo(1));
        _rig.Tiers.Verify(t => t.ForUserAsync(JobServiceRig.User, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task SubmitAsync_WhenRetriedWithTheSameRequestId_ReturnsTheJobWithoutReservingOrSubmittingAgain()
    {
        var service = await CreateSutAsync();
        var request = JobServiceRig.Request("req-1", gpus: "a100:1", time: "2h");
        _rig.GiveTier(Contributor with { GpuHoursPerMonth = 2 });
        var first = await service.SubmitAsync(JobServiceRig.User, request, CancellationToken.None);

        var retry = await service.SubmitAsync(JobServiceRig.User, request, CancellationToken.None);

        Assert.That(retry.Created, Is.False);
        Assert.That(retry.Refusal, Is.Null, "the period is full, but the retry's job exists already");
        Assert.That(retry.Job!.Id, Is.EqualTo(first.Job!.Id));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(1));
        Assert.That(await _rig.Data.ScalarAsync("SELECT SUM(reserved_gpu_seconds) FROM jobs"), Is.EqualTo(2 * 3600));
        Assert.That(_rig.Commands.Count(c => c.Contains("sbatch", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task SubmitAsync_WhenTheQuotaIsSpent_RefusesAndRunsNoSbatch()
    {
        var service = await CreateSutAsync();
        _rig.GiveTier(Contributor);
        for (var i = 0; i < 6; i++)
        {
            await _rig.SubmitAsync(JobServiceRig.Request($"req-{i}", gpus: "1", time: "4h"));
        }

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("one-more", gpus: "1", time: "30m"), CancellationToken.None);

        var refusal = (QuotaRefusal)outcome.Refusal!;
        Assert.That(outcome.Job, Is.Null);
        Assert.That(
            (refusal.GpuHoursLeft, refusal.GpuHoursNeeded, refusal.GpuHoursAllowed), Is.EqualTo((0.0, 0.5, 24.0)));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(6));
        Assert.That(_rig.Commands.Count(c => c.Contains("sbatch", StringComparison.Ordinal)), Is.EqualTo(6));
    }

    [Test]
    public async Task SubmitAsync_WhenTheTierForbidsTheJob_RefusesBeforeAnythingIsWrittenOrRun()
    {
        var service = await CreateSutAsync();
        _rig.GiveTier(Contributor);

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "a100:2", time: "6h"), CancellationToken.None);

        var refusal = (TierRefusal)outcome.Refusal!;
        Assert.That(refusal.Tier, Is.EqualTo("contributor"));
        Assert.That(refusal.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "2 GPUs asked; tier 'contributor' allows at most 1 per job",
        }));
        Assert.That(refusal.Errors["resources.time"], Is.EqualTo(new[]
        {
            "6 h asked; tier 'contributor' allows at most 4 h",
        }));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.Zero);
        Assert.That(_rig.Commands, Is.Empty);
    }

    [Test]
    public async Task SubmitAsync_WhenTheTierMayNotRunJobs_RefusesACpuOnlyJob()
    {
        var service = await CreateSutAsync();
        _rig.GiveTier(new TierLimits("guest", 0, 0, null, null));

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: null, time: "5m"), CancellationToken.None);

        Assert.That(outcome.Refusal, Is.TypeOf<TierRefusal>());
        Assert.That(outcome.Refusal!.Detail, Does.StartWith("Tier 'guest' may not run jobs."));
        Assert.That(_rig.Commands, Is.Empty);
    }

    [Test]
    public async Task SubmitAsync_WhenTheTierOpensOtherGpuTypes_RefusesTheTypeAskedAndTakesAnAllowedOne()
    {
        var service = await CreateSutAsync();
        _rig.GiveTier(new TierLimits("regular", 150, 2, 720, ["l40s"]));

        var a100 = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "a100:1"), CancellationToken.None);
        var l40s = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-2", gpus: "L40S:1"), CancellationToken.None);

        Assert.That(((TierRefusal)a100.Refusal!).Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "GPU type 'a100' asked; tier 'regular' may use only l40s",
        }));
        Assert.That(l40s.Created, Is.True);
    }

    [Test]
    public async Task SubmitAsync_WhenNoWalltimeIsAsked_CutsThePartitionsDefaultToTheTiersLongest()
    {
        var service = await CreateSutAsync();
        _rig.GiveTier(Contributor);

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "1", time: null), CancellationToken.None);

        Assert.That(outcome.Job!.TimeMinutes, Is.EqualTo(240), "the partition's default is 10 h");
        Assert.That(outcome.Job.ReservedGpuSeconds, Is.EqualTo(240 * 60));
        Assert.That(outcome.Job.SbatchOptions, Does.Contain("--time=0-04:00:00"));
    }

    [Test]
    public async Task SubmitAsync_WhenTheRequestIsInvalid_ReportsItsFieldsWithoutAskingForTheTier()
    {
        var service = await CreateSutAsync();

        var outcome = await service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "lots"), CancellationToken.None);

        Assert.That(outcome.Errors!.Keys, Is.EqualTo(new[] { "resources.gpus" }));
        _rig.Tiers.Verify(t => t.ForUserAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task EnsureAsync_WhenTheModelNeedsMoreGpusThanTheTierAllows_AnswersTheSameRefusalAsASubmit()
    {
        await CreateSutAsync();
        var runtimes = new Dictionary<string, string> { ["ollama"] = "llama3:70b" };
        var catalog = new ModelCatalog([new ModelView("llama3:70b", "big", runtimes, Gpus: 2, GpuMemoryGb: 80)]);
        var models = new ModelJobs(catalog, _rig.Store, _rig.Service);
        _rig.GiveTier(Contributor);

        var outcome = await models.EnsureAsync(
            JobServiceRig.User, "llama3:70b", new ModelJobRequest("req-1"), CancellationToken.None);
        var result = JobsApi.ToResult(outcome, _rig.Sites, "model job");

        var problem = (ProblemHttpResult)result.Result;
        Assert.That(problem.StatusCode, Is.EqualTo(403));
        Assert.That(problem.ProblemDetails.Type, Is.EqualTo(ProblemTypes.TierLimit));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.Zero);
    }

    private async Task<Bridge.Jobs.JobService> CreateSutAsync()
    {
        await _rig.StartAsync();
        return _rig.Service;
    }
}
