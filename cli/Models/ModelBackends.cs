using System.Collections.Concurrent;
using System.Text;
using Commons.Cli.Bridge;
using Commons.Contracts;

namespace Commons.Cli.Models;

/// <summary>A model job that answers: its job, the local address of its tunnel, and the model's runtime id.</summary>
internal sealed record ModelBackend(JobView Job, Uri Address, string RuntimeId, IAsyncDisposable Tunnel);

/// <summary>
/// The warm model jobs <c>commons serve</c> sends requests to, one per model, shared by every request that names
/// it: the first request starts (or finds) the job and opens the tunnel, the others wait for the same task.
/// </summary>
internal sealed class ModelBackends(BridgeClient bridge, OpenPort openPort, TextWriter log) : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Lazy<Task<ModelBackend>>> _backends = new(StringComparer.Ordinal);

    /// <summary>The backend of a catalog model, started when needed; <paramref name="progress"/> hears each phase.</summary>
    public Task<ModelBackend> GetAsync(string model, Action<string>? progress, CancellationToken cancellationToken)
    {
        var lazy = _backends.GetOrAdd(model, name => new Lazy<Task<ModelBackend>>(() => StartAsync(name, progress)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets a backend that stopped answering (its job ended), so the next request starts a new one.</summary>
    public async Task DropAsync(string model)
    {
        if (_backends.TryRemove(model, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            await lazy.Value.Result.Tunnel.DisposeAsync();
        }
    }

    private async Task<ModelBackend> StartAsync(string model, Action<string>? progress)
    {
        try
        {
            var job = await bridge.EnsureModelJobAsync(model, new ModelJobRequest(Guid.NewGuid().ToString("N")), CancellationToken.None);
            log.WriteLine($"commons serve: {model} is job {job.Id} on {job.Site}");
            long offset = 0;
            var phase = "";
            while (phase != "ready")
            {
                if (JobStates.IsTerminal(job.State))
                {
                    throw new InvalidOperationException($"the {model} job {job.Id} {job.State}: {job.Reason}");
                }

                if (job.State == JobStates.Running)
                {
                    var bytes = await bridge.ReadLogsAsync(job.Id, offset, CancellationToken.None);
                    offset += bytes.Length;
                    foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
                    {
                        if (ModelRun.Phase(line, model) is { } next && next != phase)
                        {
                            phase = next;
                            progress?.Invoke(phase);
                        }
                    }
                }
                else
                {
                    progress?.Invoke($"{job.State} on {job.Site}" + (job.Reason is null ? "" : $" ({job.Reason})"));
                }

                if (phase != "ready")
                {
                    await Task.Delay(Poll);
                    job = await bridge.GetPatientlyAsync(job.Id, TimeSpan.FromMinutes(5), null, CancellationToken.None);
                }
            }

            var catalog = await bridge.ListModelsAsync(CancellationToken.None);
            var runtimeId = catalog.FirstOrDefault(m => m.Name == model)?.Runtimes.GetValueOrDefault("ollama") ?? model;
            var (address, tunnel) = await openPort(job.Id, "api", CancellationToken.None);
            return new ModelBackend(job, address, runtimeId, tunnel);
        }
        catch
        {
            _backends.TryRemove(model, out _);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var model in _backends.Keys.ToList())
        {
            await DropAsync(model);
        }
    }
}
