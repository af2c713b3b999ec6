using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons whoami [--explain] [--refresh] [--json]</c>: who you are signed in as, your tier and why, each merit
/// signal, and this month's GPU-hours; <c>--explain</c> lists every item that counted and every one that did not.
/// </summary>
internal static class WhoAmICommand
{
    public static Command Create()
    {
        var explain = new Option<bool>("--explain") { Description = "List every counted and ignored contribution" };
        var refresh = new Option<bool>("--refresh") { Description = "Re-evaluate your merit now" };
        var json = new Option<bool>("--json") { Description = "Print the whole answer as JSON" };
        var whoami = new Command("whoami", "Show your account, tier, merit and quota") { explain, refresh, json };
        whoami.SetAction(parse => CommandContext.WithBridgeAsync(async bridge =>
        {
            var me = await bridge.WhoAmIAsync(parse.GetValue(refresh), CancellationToken.None);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(me, JsonDefaults.Context.WhoAmIResponse));
                return ExitCodes.Ok;
            }

            Console.Out.Write(Render(me, parse.GetValue(explain)));
            return ExitCodes.Ok;
        }));
        return whoami;
    }

    internal static string Render(WhoAmIResponse me, bool explain)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        var identities = me.Identities.Count == 0
            ? "no forge identity (operator token)"
            : string.Join(", ", me.Identities.Select(i => $"{Forge(i.Provider)} {i.Login}"));
        text.AppendLine(c, $"User:   {me.User} ({identities})");

        var tier = me.Tier;
        var only = tier.GpuTypes is { Count: > 0 } types ? $", {string.Join("/", types)} only" : "";
        var limits = tier.MaxWalltimeMinutes is { } walltime
            ? $"{Hours(tier.GpuHoursPerMonth)} GPU-hours a month, up to {tier.MaxGpusPerJob} GPU{(tier.MaxGpusPerJob == 1 ? "" : "s")} a job, {Duration(walltime)} walltime{only}"
            : "no jobs";
        text.AppendLine(c, $"Tier:   {tier.Name}{(tier.Source == "operator" ? " (set by an operator)" : "")}: {limits}");
        text.AppendLine(c, $"        {tier.Why}");

        var q = me.Quota;
        text.AppendLine(c,
            $"Quota:  {q.Period}: {Hours(q.Used)} used, {Hours(q.Reserved)} reserved by running jobs, {Hours(q.Left)} left of {Hours(q.Allowed)} GPU-hours; resets {q.ResetsAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

        if (me.Merit is not { } merit)
        {
            text.AppendLine("Merit:  not evaluated yet (`commons whoami --refresh` asks now)");
            return text.ToString();
        }

        text.AppendLine(c, $"Merit:  {merit.Score:0.00} of 100, evaluated {merit.EvaluatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        if (merit.Stale)
        {
            text.AppendLine(c, $"        (stale: {merit.StaleReason ?? "a forge could not be asked"}; this is the last result)");
        }

        foreach (var s in merit.Signals)
        {
            text.AppendLine(c, $"  {s.Id}  {s.Name,-34} {s.Value,8:0.00} of {s.Threshold,-4:0}  x{s.Weight,-3:0.#}  {s.Points,5:0.0} points");
        }

        if (!explain)
        {
            text.AppendLine(c, $"{merit.Counted.Count} items counted, {merit.Ignored.Count} ignored; `commons whoami --explain` lists them.");
            return text.ToString();
        }

        text.AppendLine();
        text.AppendLine(c, $"Counted ({merit.Counted.Count}): date, kind, signal, weight x size x decay = points, repository, address");
        foreach (var item in merit.Counted.OrderByDescending(i => i.At))
        {
            var note = item.Note is null ? "" : $"  ({item.Note})";
            text.AppendLine(c,
                $"  {item.At.UtcDateTime:yyyy-MM-dd}  {item.Kind,-6} {item.Signal}  {item.Weight:0.000} x {item.Size:0.0} x {item.Decay:0.000} = {item.Points:0.000}  {item.Repository}  {item.Url}{note}");
        }

        text.AppendLine();
        text.AppendLine(c, $"Ignored ({merit.Ignored.Count}): kind, rule, repository, address");
        foreach (var item in merit.Ignored)
        {
            text.AppendLine(c, $"  {item.Kind,-6} {item.Rule}  {item.Repository}  {item.Url}");
        }

        text.AppendLine();
        text.AppendLine("Never counted: " + string.Join("; ", merit.NotCounted) + ".");
        return text.ToString();
    }

    private static string Forge(string provider) => provider switch
    {
        "github" => "GitHub",
        "gitlab" => "GitLab",
        _ => provider,
    };

    private static string Hours(double hours) => hours.ToString(hours % 1 == 0 ? "0" : "0.0", CultureInfo.InvariantCulture);

    private static string Duration(int minutes) =>
        minutes % 60 == 0 ? $"{minutes / 60} h" : $"{minutes / 60} h {minutes % 60} min";
}
