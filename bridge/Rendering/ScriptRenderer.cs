using System.Globalization;
using System.Text;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Scriban;
using Scriban.Runtime;

namespace Commons.Bridge.Rendering;

/// <summary>Everything the renderer needs to know about one job; every value here was validated before.</summary>
public sealed record JobPlan(
    string JobId,
    SiteConfig Site,
    SitePartition Partition,
    string? GpuType,
    int GpuCount,
    int Cpus,
    int? MemoryMb,
    int TimeMinutes,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, object> Parameters)
{
    public string WorkDir => $"{Site.WorkDir}/{JobId}";

    public string? GresSpec => GpuCount == 0 ? null : GpuType is null ? $"gpu:{GpuCount}" : $"gpu:{GpuType}:{GpuCount}";
}

/// <summary>The sbatch script and options for a job.</summary>
public sealed record RenderedJob(string Script, IReadOnlyList<string> SbatchOptions);

/// <summary>
/// Builds job scripts in three layers: a header the bridge owns (name, comment tag, output file, resources), the
/// site's preamble (modules), then the template's body in a subshell whose exit code the script records in the
/// job's folder. The same resources are passed as sbatch options, which win over any <c>#SBATCH</c> line, and the
/// body starts after the first command, where sbatch reads no more directives.
/// </summary>
public static class ScriptRenderer
{
    public static RenderedJob Render(JobTemplate template, JobPlan plan)
    {
        var options = SbatchOptions(plan);
        var script = new StringBuilder();
        script.Append("#!/bin/bash\n");
        foreach (var option in options)
        {
            script.Append("#SBATCH ").Append(option).Append('\n');
        }

        script.Append("# Compute Commons job ").Append(plan.JobId).Append(", template '").Append(template.Name)
            .Append("'. Rendered by the bridge; edits here are not kept.\n");
        script.Append("export COMMONS_JOB_ID=").Append(ShellQuote.Quote(plan.JobId)).Append('\n');
        script.Append("export COMMONS_JOB_DIR=").Append(ShellQuote.Quote(plan.WorkDir)).Append('\n');
        AppendPreamble(script, plan.Site);
        foreach (var (name, value) in plan.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            script.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        script.Append("(\n");
        var body = RenderBody(template, plan);
        script.Append(body);
        if (!body.EndsWith('\n'))
        {
            script.Append('\n');
        }

        script.Append(")\n");
        script.Append("commons_rc=$?\n");
        script.Append("printf '%s\\n' \"$commons_rc\" > \"$COMMONS_JOB_DIR/").Append(SlurmClient.ExitCodeFile).Append(".tmp\" && ");
        script.Append("mv \"$COMMONS_JOB_DIR/").Append(SlurmClient.ExitCodeFile).Append(".tmp\" \"$COMMONS_JOB_DIR/")
            .Append(SlurmClient.ExitCodeFile).Append("\"\n");
        script.Append("exit \"$commons_rc\"\n");
        return new RenderedJob(script.ToString(), options);
    }

    /// <summary>The options the bridge passes to sbatch; identical to the header's directives.</summary>
    public static IReadOnlyList<string> SbatchOptions(JobPlan plan)
    {
        var options = new List<string>
        {
            $"--job-name=cc-{plan.JobId}",
            $"--comment=commons:{plan.JobId}",
            $"--output={plan.WorkDir}/{SlurmClient.OutputFile}",
            $"--chdir={plan.WorkDir}",
            $"--partition={plan.Partition.Name}",
            $"--time={SlurmTime.Format(plan.TimeMinutes)}",
            "--nodes=1",
            "--ntasks=1",
            string.Create(CultureInfo.InvariantCulture, $"--cpus-per-task={plan.Cpus}"),
        };
        if (plan.GresSpec is { } gres)
        {
            options.Add($"--gres={gres}");
        }

        if (plan.MemoryMb is { } memory)
        {
            options.Add(string.Create(CultureInfo.InvariantCulture, $"--mem={memory}M"));
        }

        if (!string.IsNullOrEmpty(plan.Site.Slurm.Account))
        {
            options.Add($"--account={plan.Site.Slurm.Account}");
        }

        if (!string.IsNullOrEmpty(plan.Site.Slurm.Qos))
        {
            options.Add($"--qos={plan.Site.Slurm.Qos}");
        }

        return options;
    }

    private static void AppendPreamble(StringBuilder script, SiteConfig site)
    {
        foreach (var module in site.Runtime.Modules)
        {
            script.Append("module load ").Append(ShellQuote.Quote(module)).Append('\n');
        }

        if (!string.IsNullOrEmpty(site.ScratchDir))
        {
            script.Append("export COMMONS_SCRATCH=").Append(ShellQuote.Quote(site.ScratchDir)).Append('\n');
        }
    }

    private static string RenderBody(JobTemplate template, JobPlan plan)
    {
        var parameters = new ScriptObject();
        foreach (var (name, definition) in template.Parameters)
        {
            plan.Parameters.TryGetValue(name, out var value);
            parameters[name] = definition.Type switch
            {
                "argv" => ShellQuote.Join((IEnumerable<string>?)value ?? []),
                "int" => value ?? 0,
                "bool" => value ?? false,
                _ => ShellQuote.Quote(value as string ?? ""),
            };
        }

        var globals = new ScriptObject
        {
            ["params"] = parameters,
            ["job"] = new ScriptObject
            {
                ["id"] = plan.JobId,
                ["gpus"] = plan.GpuCount,
                ["cpus"] = plan.Cpus,
                ["container"] = plan.Site.Runtime.Container,
            },
            ["site"] = new ScriptObject
            {
                ["name"] = plan.Site.Name,
                ["ollama_stand_in"] = ShellQuote.Quote(
                    plan.Site.Runtime.Models.GetValueOrDefault("ollama")?.StandIn ?? ""),
            },
        };
        var context = new TemplateContext { StrictVariables = true, EnableRelaxedMemberAccess = false };
        context.PushGlobal(globals);
        return template.Body.Render(context);
    }
}
