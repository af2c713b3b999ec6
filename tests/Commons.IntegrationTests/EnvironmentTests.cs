using System.Net;
using System.Text;
using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// Environment variables: a bad name is refused field by field before anything reaches Slurm, and every value
/// arrives in the job exactly as given, whatever shell syntax it holds.
/// </summary>
[Order(RunOrder.Environment)]
public sealed class EnvironmentTests
{
    private static readonly TestCaseData[] Values =
    [
        new TestCaseData("line one\nline two").SetArgDisplayNames("a newline"),
        new TestCaseData("ends with a newline\n").SetArgDisplayNames("a trailing newline"),
        new TestCaseData("it's").SetArgDisplayNames("a single quote"),
        new TestCaseData("say \"hi\"").SetArgDisplayNames("double quotes"),
        new TestCaseData("a,b,c").SetArgDisplayNames("commas"),
        new TestCaseData("$(id)").SetArgDisplayNames("command substitution"),
        new TestCaseData("back\\slash \\n \\\\").SetArgDisplayNames("backslashes"),
        new TestCaseData("'; echo injected; '").SetArgDisplayNames("a quote breakout"),
        new TestCaseData("$HOME `id` ${PATH} \"'\\,\n!").SetArgDisplayNames("everything at once"),
        new TestCaseData("grüße ✓").SetArgDisplayNames("non-ASCII text"),
    ];

    [TestCase("A\nB", "environment.A\\u000aB")]
    [TestCase("A-B", "environment.A-B")]
    [TestCase("SLURM_JOB_ID", "environment.SLURM_JOB_ID")]
    public async Task Submit_WhenVariableNameIsInvalid_AnswersProblemForThatFieldAndSubmitsNothing(
        string name, string expectedField)
    {
        var before = await Snapshot.TakeAsync();
        var request = BridgeApi.Command("true") with
        {
            Environment = new Dictionary<string, string> { [name] = "value" },
        };

        var response = await BridgeApi.SubmitAsync(request);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.Body);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo(400), response.Body);
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(fields, Is.EqualTo(new[] { expectedField }), response.Body);
        var after = await Snapshot.TakeAsync();
        Assert.That(after.WorkDirs.Except(before.WorkDirs), Is.Empty, "new folders in the site's work dir");
        Assert.That(after.SlurmJobs.Except(before.SlurmJobs), Is.Empty, "new Slurm jobs in squeue -t all");
        Assert.That(after.BridgeJobs.Except(before.BridgeJobs), Is.Empty, "new jobs in GET /v1/jobs?all=true");
    }

    [TestCaseSource(nameof(Values))]
    public async Task Run_WithEnvOption_DeliversTheValueToTheJobByteForByte(string value)
    {
        var result = await Cli.RunAsync("run", "--env", $"V1={value}", "--", "sh", "-c", "printf %s \"$V1\"");

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        Assert.That(result.StdoutBytes, Is.EqualTo(Encoding.UTF8.GetBytes(value)), result.Describe());
    }

    [Test]
    public async Task Submit_WithEnvironmentOverHttp_DeliversEveryValueToTheJobByteForByte()
    {
        var values = Values.Select(v => (string)v.Arguments[0]!).ToList();
        var environment = values.Select((v, i) => (Name: $"V{i}", Value: v)).ToDictionary(e => e.Name, e => e.Value);
        var printf = $"printf '<%s>' {string.Join(' ', environment.Keys.Select(k => $"\"${k}\""))}";
        var request = BridgeApi.Command("sh", "-c", printf) with { Environment = environment };
        var expected = string.Concat(values.Select(v => $"<{v}>"));

        var job = await BridgeApi.SubmitOkAsync(request);
        var output = await BridgeApi.ReadLogAsync(job.Id);
        var ended = await BridgeApi.WaitForEndAsync(job.Id);

        Assert.That(ended.State, Is.EqualTo(JobStates.Succeeded), $"reason: {ended.Reason}");
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(expected));
        Assert.That(output, Is.EqualTo(Encoding.UTF8.GetBytes(expected)));
    }

    /// <summary>What shows that a request reached Slurm: job folders, Slurm jobs and the bridge's records.</summary>
    private sealed record Snapshot(
        IReadOnlySet<string> WorkDirs, IReadOnlySet<string> SlurmJobs, IReadOnlySet<string> BridgeJobs)
    {
        // Sets, not counts: a finished job may leave squeue (MinJobAge) while the test runs, which is no submit.
        public static async Task<Snapshot> TakeAsync()
        {
            var folders = Directory.GetFileSystemEntries(Sandbox.Settings.SiteWorkDir).Select(Path.GetFileName);
            var slurm = (await Sandbox.QueueAsync()).Select(q => q.SlurmJobId);
            var bridge = (await BridgeApi.ListAllAsync()).Select(j => j.Id);
            return new Snapshot(
                folders.OfType<string>().ToHashSet(), slurm.ToHashSet(), bridge.ToHashSet());
        }
    }
}
