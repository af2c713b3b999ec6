using Commons.Cli.Bridge;
using Commons.Cli.Tunnels;

namespace Commons.Cli.Models;

/// <summary>Reaches a model job's API through a tunnel listener on a free loopback port of this machine.</summary>
internal static class ModelTunnels
{
    public static OpenPort Opener(BridgeClient bridge) => async (jobId, port, cancellationToken) =>
    {
        var listener = new TunnelListener(bridge.Settings);
        try
        {
            var endpoint = await listener.StartAsync(jobId, port, 0, cancellationToken);
            return (new Uri($"http://127.0.0.1:{endpoint.Port}"), listener);
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    };
}
