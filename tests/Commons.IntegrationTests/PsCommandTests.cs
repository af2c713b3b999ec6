using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary><c>commons ps</c>: a table for people, a JSON array for programs.</summary>
[Order(RunOrder.Commands)]
public sealed class PsCommandTests
{
    private static readonly string[] Fields = ["id", "name", "state", "site", "slurmJobId", "exitCode", "createdAt"];

    private JobView _job = null!;

    [OneTimeSetUp]
    public async Task StartAJobAsync()
    {
        _job = await BridgeApi.SubmitOkAsync(BridgeApi.Command("sleep", "300"));
        await Eventually.Async(
            () => BridgeApi.GetAsync(_job.Id),
            job => job.State == JobStates.Running,
            TimeSpan.FromSeconds(30),
            "the job to run");
    }

    [OneTimeTearDown]
    public Task StopTheJobAsync() => BridgeApi.CancelQuietlyAsync(_job?.Id);

    [Test]
    public async Task Ps_WithJson_PrintsAnArrayHoldingTheRunningJobWithItsFields()
    {
        var result = await Cli.RunAsync("ps", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array), result.Stdout);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            Assert.That(element.ValueKind, Is.EqualTo(JsonValueKind.Object), result.Stdout);
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            Assert.That(names, Is.SupersetOf(Fields), element.ToString());
        }

        var mine = document.RootElement.EnumerateArray()
            .SingleOrDefault(e => e.GetProperty("id").GetString() == _job.Id);
        Assert.That(mine.ValueKind, Is.EqualTo(JsonValueKind.Object), $"job {_job.Id} missing from: {result.Stdout}");
        Assert.That(mine.GetProperty("name").GetString(), Is.EqualTo("sleep"));
        Assert.That(mine.GetProperty("state").GetString(), Is.EqualTo(JobStates.Running));
        Assert.That(mine.GetProperty("site").GetString(), Is.EqualTo(Sandbox.Settings.Site));
        Assert.That(mine.GetProperty("slurmJobId").GetString(), Is.EqualTo(_job.SlurmJobId));
        Assert.That(mine.GetProperty("exitCode").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(mine.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(_job.CreatedAt));
    }

    [Test]
    public async Task Ps_ByDefault_ShowsTheRunningJobInTheTable()
    {
        var result = await Cli.RunAsync("ps");

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        var header = result.Lines.Count > 0 ? result.Lines[0].Text : "";
        Assert.That(header.Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(
            new[] { "ID", "NAME", "STATE", "SITE", "SLURM", "ID", "GPUS", "CREATED", "UNTIL", "EXIT" }), result.Describe());
        var row = result.Lines.Select(l => l.Text).FirstOrDefault(l => l.StartsWith(_job.Id, StringComparison.Ordinal));
        Assert.That(row, Is.Not.Null, result.Describe());
        var cells = row!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = new[] { _job.Id, "sleep", "running", Sandbox.Settings.Site, _job.SlurmJobId };
        Assert.That(cells[..5], Is.EqualTo(expected), row);
    }
}
