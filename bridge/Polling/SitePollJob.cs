using Commons.Bridge.Data;
using Quartz;

namespace Commons.Bridge.Polling;

/// <summary>
/// The Quartz job behind each site's poll. It fires every second and polls only when <see cref="SiteActivity"/>
/// says a poll is due, so the interval adapts to who is waiting without rescheduling triggers.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SitePollJob(SitePoller poller, SiteActivity activity, JobStore store, ILogger<SitePollJob> logger) : IJob
{
    public const string SiteKey = "site";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var site = context.MergedJobDataMap.GetString(SiteKey)!;
        var active = await store.ActiveAsync(site, cancellationToken);
        if (!activity.IsDue(site, active.Count > 0))
        {
            return;
        }

        activity.Polled(site);
        try
        {
            await poller.PollAsync(site, active, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown; the next start polls again from the database.
        }
        catch (Exception e)
        {
            // A failed poll changes no job: the database still holds the last known states, and the next tick retries.
            Hosting.Log.PollCrashed(logger, site, e);
        }
    }
}
