using System.Globalization;
using System.Text.RegularExpressions;
using Commons.Bridge.Broker;
using Commons.Bridge.Rendering;
using Commons.Bridge.Slurm;
using Commons.Contracts;

namespace Commons.Bridge.Jobs;

/// <summary>A request that passed validation, with its placement and resources resolved.</summary>
public sealed record ValidatedJob(
    string RequestId,
    string Name,
    JobTemplate Template,
    IReadOnlyList<string> Command,
    Placement Placement,
    int GpuCount,
    int Cpus,
    int? MemoryMb,
    int TimeMinutes,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, object> Parameters);

/// <summary>
/// Checks a submit request field by field. Every problem is reported under the JSON path of its field, so the
/// caller can say exactly what to fix; nothing is submitted while any problem remains.
/// </summary>
public sealed partial class JobRequestValidator(TemplateCatalog templates, SitePicker picker)
{
    public const int MaxEnvironmentVariables = 128;
    public const int MaxValueBytes = 32 * 1024;
    public const int MaxCommandBytes = 128 * 1024;

    private static readonly string[] ReservedPrefixes = ["SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "COMMONS_"];

    public (ValidatedJob? Job, Dictionary<string, string[]> Errors) Validate(SubmitJobRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) =>
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        if (string.IsNullOrEmpty(request.RequestId) || !RequestIdPattern().IsMatch(request.RequestId))
        {
            Add("requestId", "required: 1 to 64 characters of letters, digits, '-' and '_'");
        }

        var templateName = request.Template ?? "command";
        if (!templates.TryGet(templateName, out var template))
        {
            var known = string.Join(", ", templates.All.Select(t => t.Name).Order(StringComparer.Ordinal));
            Add("template", $"no template named '{templateName}'; known: {known}");
        }

        var command = request.Command ?? [];
        IReadOnlyDictionary<string, object> parameters;
        if (templateName == "command")
        {
            ValidateCommand(command, Add);
            parameters = new Dictionary<string, object> { ["command"] = command };
        }
        else
        {
            if (command.Count > 0 && template is not null)
            {
                Add("command", $"only the command template takes a command; template '{templateName}' takes parameters");
            }

            parameters = template is null ? new Dictionary<string, object>() : ValidateParameters(template, request.Parameters, Add);
        }

        var name = request.Name ?? DefaultName(command);
        if (!NamePattern().IsMatch(name))
        {
            Add("name", "1 to 64 characters of letters, digits, '.', '_' and '-'");
        }

        var environment = ValidateEnvironment(request.Environment, Add);
        var resources = request.Resources ?? new JobResources();
        var (gpuType, gpuCount) = ParseGpus(resources.Gpus, Add);
        var cpus = resources.Cpus ?? template?.DefaultCpus ?? 1;
        if (cpus is < 1 or > 4096)
        {
            Add("resources.cpus", $"{cpus} is not a CPU count from 1 to 4096");
        }

        var memory = ParseMemory(resources.Memory, Add);
        int? minutes = null;
        if (resources.Time is not null)
        {
            minutes = SlurmTime.ParseMinutes(resources.Time);
            if (minutes is null)
            {
                Add("resources.time", $"'{resources.Time}' is not a walltime; use 30m, 2h, 1d, HH:MM:SS or D-HH:MM:SS");
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var (placement, field, problem) = picker.Pick(request.Site, gpuType, gpuCount, cpus, minutes, template!.ModelRuntime);
        if (placement is null)
        {
            Add(field!, problem!);
            return (null, errors);
        }

        var partition = placement.Partition;
        if (memory is { } mb && partition.MemoryPerNodeMb > 0 && mb > partition.MemoryPerNodeMb)
        {
            Add("resources.memory", $"{mb} MiB asked; a node of partition '{partition.Name}' has {partition.MemoryPerNodeMb} MiB");
            return (null, errors);
        }

        if (!template.Runtimes.Contains(placement.Site.Runtime.Container))
        {
            Add("template", $"template '{template.Name}' cannot run with site '{placement.Site.Name}' runtime '{placement.Site.Runtime.Container}'");
            return (null, errors);
        }

        var job = new ValidatedJob(
            request.RequestId, name, template, command, placement, gpuCount, cpus, memory,
            minutes ?? partition.DefaultTimeMinutes, environment, parameters);
        return (job, errors);
    }

    private static void ValidateCommand(IReadOnlyList<string> command, Action<string, string> add)
    {
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            add("command", "required: the command to run and its arguments");
            return;
        }

        var bytes = 0;
        for (var i = 0; i < command.Count; i++)
        {
            var word = command[i];
            if (word is null)
            {
                add($"command[{i}]", "is null; every word of the command must be a string");
                continue;
            }

            if (word.Contains('\0', StringComparison.Ordinal))
            {
                add($"command[{i}]", "contains a NUL character, which no program can receive");
            }

            bytes += System.Text.Encoding.UTF8.GetByteCount(word) + 1;
        }

        if (bytes > MaxCommandBytes)
        {
            add("command", $"{bytes} bytes; at most {MaxCommandBytes} (put long input in a file)");
        }
    }

    private static Dictionary<string, object> ValidateParameters(
        JobTemplate template, IReadOnlyDictionary<string, string>? values, Action<string, string> add)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        values ??= new Dictionary<string, string>();
        foreach (var name in values.Keys.Where(k => !template.Parameters.ContainsKey(k)))
        {
            var known = template.Parameters.Count == 0 ? "none" : string.Join(", ", template.Parameters.Keys);
            add($"parameters.{Printable(name)}", $"template '{template.Name}' has no such parameter; it takes: {known}");
        }

        foreach (var (name, definition) in template.Parameters)
        {
            var field = $"parameters.{name}";
            var text = values.GetValueOrDefault(name) ?? definition.Default;
            if (text is null)
            {
                if (definition.Required)
                {
                    add(field, $"required: {definition.Description}");
                }

                continue;
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                add(field, "contains a NUL character");
                continue;
            }

            if (definition.Pattern is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                add(field, $"'{Printable(text)}' does not match {pattern}");
                continue;
            }

            object? value = definition.Type switch
            {
                "int" => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,
                "bool" => bool.TryParse(text, out var b) ? b : null,
                _ => text,
            };
            if (value is null)
            {
                add(field, $"'{Printable(text)}' is not a{(definition.Type == "int" ? "n int" : " bool")}");
                continue;
            }

            result[name] = value;
        }

        return result;
    }

    private static Dictionary<string, string> ValidateEnvironment(
        IReadOnlyDictionary<string, string>? environment, Action<string, string> add)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (environment is null)
        {
            return result;
        }

        if (environment.Count > MaxEnvironmentVariables)
        {
            add("environment", $"{environment.Count} variables; at most {MaxEnvironmentVariables}");
        }

        foreach (var (name, value) in environment)
        {
            var field = $"environment.{Printable(name)}";
            if (name.Contains('\n', StringComparison.Ordinal) || name.Contains('\r', StringComparison.Ordinal)
                || name.Contains('\0', StringComparison.Ordinal))
            {
                add(field, "the name contains a line break or NUL");
                continue;
            }

            if (!EnvNamePattern().IsMatch(name))
            {
                add(field, "not a variable name: expected a letter or '_' first, then letters, digits and '_'");
                continue;
            }

            var reserved = ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));
            if (reserved is not null)
            {
                add(field, $"names starting with {reserved} are reserved for Slurm and the commons");
                continue;
            }

            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                add(field, "the value is missing or contains a NUL character");
                continue;
            }

            if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                add(field, $"the value is longer than {MaxValueBytes} bytes");
                continue;
            }

            result[name] = value;
        }

        return result;
    }

    private static (string? Type, int Count) ParseGpus(string? text, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, 0);
        }

        var match = GpusPattern().Match(text.Trim());
        if (!match.Success)
        {
            add("resources.gpus", $"'{Printable(text)}' is not TYPE:COUNT (such as h100:1) or COUNT");
            return (null, 0);
        }

        var count = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        if (count is < 1 or > 64)
        {
            add("resources.gpus", $"{count} GPUs; expected 1 to 64");
        }

        return (match.Groups["type"].Success ? match.Groups["type"].Value.ToLowerInvariant() : null, count);
    }

    private static int? ParseMemory(string? text, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var match = MemoryPattern().Match(text.Trim());
        if (!match.Success)
        {
            add("resources.memory", $"'{Printable(text)}' is not a size such as 512M, 16G or 1T");
            return null;
        }

        var n = long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var mb = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "K" => (n + 1023) / 1024,
            "G" => n * 1024,
            "T" => n * 1024 * 1024,
            _ => n,
        };
        if (mb is < 1 or > int.MaxValue)
        {
            add("resources.memory", $"'{text}' is outside 1 MiB to 2 PiB");
            return null;
        }

        return (int)mb;
    }

    private static string DefaultName(IReadOnlyList<string> command)
    {
        var first = command.Count > 0 ? Path.GetFileName(command[0] ?? "") : "";
        var cleaned = new string(first.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
        cleaned = cleaned.Trim('-');
        return cleaned.Length == 0 ? "job" : cleaned[..Math.Min(64, cleaned.Length)];
    }

    // Field names are echoed back in errors; control characters are shown escaped so a response stays one line.
    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex RequestIdPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^(?:(?<type>[A-Za-z0-9_.-]{1,32}):)?(?<n>[0-9]{1,3})$")]
    private static partial Regex GpusPattern();

    [GeneratedRegex("^(?<n>[0-9]{1,10})(?<unit>[KkMmGgTt]?)(?:i?[Bb])?$")]
    private static partial Regex MemoryPattern();
}
