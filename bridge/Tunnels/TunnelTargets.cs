using Commons.Bridge.Data;
using Commons.Contracts;

namespace Commons.Bridge.Tunnels;

/// <summary>Where a tunnel goes: the job's node, at the address the login node reaches it at, and the port.</summary>
public sealed record TunnelTarget(string JobId, string Site, string Node, string Host, int Port);

/// <summary>
/// Whether a tunnel may open. <see cref="Target"/> is set when it may. Otherwise <see cref="Reason"/> tells the job's
/// owner why; it is null for anyone else, who must not learn whether the job exists.
/// </summary>
public sealed record TunnelDecision(TunnelTarget? Target, string? Reason)
{
    public static TunnelDecision Stranger { get; } = new(null, null);

    public static TunnelDecision Refused(string reason) => new(null, reason);
}

/// <summary>
/// Decides where a tunnel goes. The host and the port come only from the bridge's own record of the job (its site
/// and node) and from the port file the job wrote; nothing in the request names either.
/// </summary>
public sealed class TunnelTargets(JobPorts ports, NodeAddresses nodes)
{
    /// <summary>
    /// Decides for <paramref name="userId"/>, given the job as the store has it (null when there is none). May ask
    /// the job's site; throws <see cref="Ssh.SiteUnreachableException"/> when the site cannot be asked.
    /// </summary>
    public async Task<TunnelDecision> DecideAsync(
        JobRow? job, string userId, string portName, CancellationToken cancellationToken)
    {
        if (job is null || job.UserId != userId)
        {
            return TunnelDecision.Stranger;
        }

        if (!PortNames.IsValid(portName))
        {
            return TunnelDecision.Refused($"that is not a port name; port names match {PortNames.Pattern}");
        }

        if (job.State != JobStates.Running)
        {
            return TunnelDecision.Refused($"job {job.Id} is {job.State}, not running");
        }

        if (string.IsNullOrEmpty(job.Node))
        {
            return TunnelDecision.Refused($"job {job.Id} has no node yet");
        }

        if (await ports.ReadAsync(job, portName, cancellationToken) is not { } port)
        {
            return TunnelDecision.Refused(
                $"job {job.Id} has not recorded a port named '{portName}' "
                + $"({JobPorts.Folder}/{portName} in its folder)");
        }

        if (await nodes.ResolveAsync(job.Site, job.Node, cancellationToken) is not { } host)
        {
            return TunnelDecision.Refused($"Slurm gives no address for node {job.Node} of job {job.Id}");
        }

        return new TunnelDecision(new TunnelTarget(job.Id, job.Site, job.Node, host, port), null);
    }
}
