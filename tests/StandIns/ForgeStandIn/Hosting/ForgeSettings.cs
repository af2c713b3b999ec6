using System.Globalization;
using System.Net;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.Hosting;

/// <summary>A token the stand-in accepts from the start, as if the device flow had issued it to that login.</summary>
public sealed record PresetToken(ForgeKind Forge, string Login, string Token);

/// <summary>Everything the stand-in can be told, on its command line or by a test that starts it in-process.</summary>
public sealed record ForgeSettings
{
    public const string Version = "0.1.0";

    /// <summary>Where to listen; loopback only. Default 127.0.0.1:8490; port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8490);

    /// <summary>The folder of profile files. Default: the profiles built beside the stand-in.</summary>
    public string ProfilesFolder { get; init; } = BundledProfiles;

    /// <summary>
    /// What the clock says at start; profile dates count back from it and it then runs on at real speed.
    /// Default: the real time.
    /// </summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>How long a device code lives (<c>expires_in</c>). Default 900 seconds.</summary>
    public TimeSpan DeviceExpires { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>The polling interval handed out with a device code. Default 5 seconds.</summary>
    public TimeSpan DeviceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>GitHub's core requests per hour for each token or client address. Default 5000.</summary>
    public int CoreLimit { get; init; } = 5000;

    /// <summary>GitHub's search requests per minute for each token or client address. Default 30.</summary>
    public int SearchLimit { get; init; } = 30;

    /// <summary>GitLab's API requests per minute for each token or client address. Default 2000.</summary>
    public int GitLabLimit { get; init; } = 2000;

    /// <summary>The OAuth client id GitHub's device flow accepts. Default <c>commons-standin-github</c>.</summary>
    public string GitHubClientId { get; init; } = "commons-standin-github";

    /// <summary>The OAuth client id GitLab's device flow accepts. Default <c>commons-standin-gitlab</c>.</summary>
    public string GitLabClientId { get; init; } = "commons-standin-gitlab";

    /// <summary>Tokens accepted from the start, for a service that calls the API with credentials of its own.</summary>
    public IReadOnlyList<PresetToken> Tokens { get; init; } = [];

    /// <summary>Log every request, not only the lifecycle. Default off.</summary>
    public bool Debug { get; init; }

    /// <summary>The <c>profiles</c> folder copied beside the stand-in's assembly by the build.</summary>
    public static string BundledProfiles => Path.Combine(AppContext.BaseDirectory, "profiles");

    /// <summary>Reads the command-line options (everything but <c>--help</c> and <c>--version</c>).</summary>
    /// <exception cref="FormatException">An option is unknown, lacks its value or has an unusable one.</exception>
    public static ForgeSettings Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);

        var settings = new ForgeSettings();
        var tokens = new List<PresetToken>();
        for (var index = 0; index < args.Count; index++)
        {
            var (name, inline) = SplitOption(args[index]);
            if (name == "--debug" && inline is null)
            {
                settings = settings with { Debug = true };
                continue;
            }

            var value = inline
                ?? (index + 1 < args.Count ? args[++index] : throw new FormatException($"{name}: missing its value"));
            try
            {
                settings = name switch
                {
                    "--listen" => settings with { Listen = ParseListen(value) },
                    "--profiles" => settings with { ProfilesFolder = value },
                    "--now" => settings with { Now = ParseInstant(value) },
                    "--device-expires" => settings with { DeviceExpires = TimeSpan.FromSeconds(ParseCount(value, 1)) },
                    "--device-interval" => settings with { DeviceInterval = TimeSpan.FromSeconds(ParseCount(value, 0)) },
                    "--core-limit" => settings with { CoreLimit = ParseCount(value, 1) },
                    "--search-limit" => settings with { SearchLimit = ParseCount(value, 1) },
                    "--gitlab-limit" => settings with { GitLabLimit = ParseCount(value, 1) },
                    "--github-client-id" => settings with { GitHubClientId = ParseClientId(value) },
                    "--gitlab-client-id" => settings with { GitLabClientId = ParseClientId(value) },
                    "--token" => AddToken(settings, tokens, value),
                    _ => throw new FormatException("unknown option"),
                };
            }
            catch (FormatException e)
            {
                // A token is a secret even here: the message shows what it is for, not the token.
                var shown = name == "--token" && value.Contains('=', StringComparison.Ordinal)
                    ? $"{value[..value.IndexOf('=', StringComparison.Ordinal)]}=…"
                    : value;
                throw new FormatException($"{name} {shown}: {e.Message}", e);
            }
        }

        return settings;
    }

    /// <summary>
    /// Parses <c>http://127.0.0.1:8490</c>, <c>127.0.0.1:8490</c>, <c>http://localhost:8490</c> or
    /// <c>http://[::1]:8490</c>, and refuses any address that is not loopback.
    /// </summary>
    public static IPEndPoint ParseListen(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Contains("://", StringComparison.Ordinal) ? value : $"http://{value}";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new FormatException("expected http://ADDRESS:PORT, such as http://127.0.0.1:8490");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new FormatException("expected no path after the port");
        }

        var address = uri.IsLoopback && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed
            : throw new FormatException($"'{uri.Host}' is not an IP address; give 127.0.0.1, [::1] or localhost");
        return IPAddress.IsLoopback(address)
            ? new IPEndPoint(address, uri.Port)
            : throw new FormatException($"{address} is not a loopback address; the stand-in listens on loopback only");
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            throw new FormatException($"'{arg}' is not an option; options start with --");
        }

        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    private static DateTimeOffset ParseInstant(string value) =>
        DateTimeOffset.TryParse(
            value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var instant)
            ? instant
            : throw new FormatException("expected an ISO 8601 instant such as 2026-12-04T00:00:00Z");

    private static int ParseCount(string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= min
            ? count
            : throw new FormatException($"expected a whole number, {min} or more");

    private static string ParseClientId(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? value
            : throw new FormatException("expected letters, digits, '-', '_' or '.'");

    /// <summary><c>github:LOGIN=TOKEN</c> or <c>gitlab:LOGIN=TOKEN</c>; repeatable.</summary>
    private static ForgeSettings AddToken(ForgeSettings settings, List<PresetToken> tokens, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (colon < 0 || equals < colon + 2 || equals == value.Length - 1)
        {
            throw new FormatException("expected github:LOGIN=TOKEN or gitlab:LOGIN=TOKEN");
        }

        var forge = value[..colon] switch
        {
            "github" => ForgeKind.GitHub,
            "gitlab" => ForgeKind.GitLab,
            var other => throw new FormatException($"'{other}' is not github or gitlab"),
        };
        tokens.Add(new PresetToken(forge, value[(colon + 1)..equals], value[(equals + 1)..]));
        return settings with { Tokens = [.. tokens] };
    }
}
