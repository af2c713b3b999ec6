using System.Text;
using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// A bridge that dies between recording a job and recording its Slurm id loses nothing: the poller submits a job
/// that never reached sbatch, and adopts by its comment tag one that did, without submitting it twice.
/// </summary>
/// <remarks>
/// The crash is reproduced by its result: rows in the real database as a dead bridge leaves them, copied from a
/// job the bridge itself rendered, and, for the second case, the Slurm job its sbatch had already created.
/// </remarks>
[Order(RunOrder.SubmitRecovery)]
[NonParallelizable]
public sealed class SubmitRecoveryTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Poll_WhenAJobWasRecordedButNeverSubmitted_SubmitsItOnceAndItSucceeds()
    {
        var original = await BridgeApi.SubmitOkAsync(BridgeApi.Command("sh", "-c", "echo recovered"));
        var id = BridgeDatabase.NewJobId();

        await BridgeDatabase.InsertSubmittingCopyAsync(original.Id, id, DateTimeOffset.UtcNow.AddMinutes(-1));
        var job = await BridgeApi.WaitForEndAsync(id, Limit);

        Assert.That(job.State, Is.EqualTo(JobStates.Succeeded), $"reason: {job.Reason}");
        Assert.That(job.SlurmJobId, Is.Not.Null.And.Not.EqualTo(original.SlurmJobId));
        Assert.That(Encoding.UTF8.GetString(await BridgeApi.ReadLogAsync(id)), Is.EqualTo("recovered\n"));
        var tagged = await SlurmJobsTaggedAsync(id);
        Assert.That(tagged, Is.EqualTo(new[] { job.SlurmJobId }), $"Slurm jobs with comment commons:{id}");
    }

    [Test]
    public async Task Poll_WhenSlurmHasTheJobButItsIdWasNeverRecorded_AdoptsItWithoutSubmittingAgain()
    {
        var original = await BridgeApi.SubmitOkAsync(BridgeApi.Command("sh", "-c", "sleep 2; echo adopted"));
        var id = BridgeDatabase.NewJobId();
        var slurmJobId = await SbatchAsServiceAccountAsync(original.Id, id);

        await BridgeDatabase.InsertSubmittingCopyAsync(original.Id, id, DateTimeOffset.UtcNow.AddMinutes(-1));
        var adopted = await Eventually.Async(
            () => BridgeApi.GetAsync(id), job => job.SlurmJobId is not null, Limit, $"job {id} to get a Slurm id");
        var ended = await BridgeApi.WaitForEndAsync(id, Limit);

        Assert.That(adopted.SlurmJobId, Is.EqualTo(slurmJobId));
        Assert.That(ended.State, Is.EqualTo(JobStates.Succeeded), $"reason: {ended.Reason}");
        Assert.That(Encoding.UTF8.GetString(await BridgeApi.ReadLogAsync(id)), Is.EqualTo("adopted\n"));
        var tagged = await SlurmJobsTaggedAsync(id);
        Assert.That(tagged, Is.EqualTo(new[] { slurmJobId }), $"Slurm jobs with comment commons:{id}");
    }

    /// <summary>
    /// Does over SSH what the bridge's submit step does for job <paramref name="newId"/>, with the script and options
    /// the bridge rendered for <paramref name="originalId"/> carried over to the new id, and returns the Slurm id.
    /// The id file the bridge's own submit would write is left out, so only the comment can lead to the job.
    /// </summary>
    private static async Task<string> SbatchAsServiceAccountAsync(string originalId, string newId)
    {
        var (script, sbatchJson, workDir) = await BridgeDatabase.SubmissionOfAsync(originalId);
        var optionsJson = sbatchJson.Replace(originalId, newId, StringComparison.Ordinal);
        var options = JsonSerializer.Deserialize<string[]>(optionsJson)!;
        var dir = ProcessRunner.ShellQuote(workDir.Replace(originalId, newId, StringComparison.Ordinal));
        var sbatch = $"SLURM_CONF={ProcessRunner.ShellQuote(Sandbox.Settings.SlurmConf)} sbatch --parsable "
            + string.Join(' ', options.Select(ProcessRunner.ShellQuote));
        var remote = $"umask 077 && mkdir -p {dir} && cd {dir} && cat > job.sbatch && {sbatch} job.sbatch";
        Assert.That(options, Does.Contain($"--comment=commons:{newId}"));

        var result = await Sandbox.SshAsync(remote, script.Replace(originalId, newId, StringComparison.Ordinal));

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return result.Stdout.Trim().Split(';')[0];
    }

    private static async Task<IReadOnlyList<string>> SlurmJobsTaggedAsync(string jobId) =>
        (await Sandbox.QueueAsync()).Where(q => q.Comment == $"commons:{jobId}").Select(q => q.SlurmJobId).ToList();
}
