using Commons.Bridge.Merit;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Commons.Bridge.Auth;

/// <summary>A forges file that cannot be used; the message names the file, the key and the reason.</summary>
public sealed class ForgesFileException(string file, string key, string reason)
    : Exception($"{file}: {key}: {reason}");

/// <summary>
/// Reads <c>config/forges.yaml</c>: which forges people sign in with. The bridge's own API tokens are never in the
/// file; it names the environment variables that hold them.
/// <code>
/// github:
///   webUrl: https://github.com
///   apiUrl: https://api.github.com
///   clientId: Iv1.0123456789abcdef
///   apiTokenEnv: COMMONS_GITHUB_TOKEN
/// gitlab:
///   url: https://gitlab.com
///   clientId: 0123abcd…
///   apiTokenEnv: COMMONS_GITLAB_TOKEN
/// </code>
/// </summary>
public static class ForgesFile
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Loads the file; a missing file means no forge sign-in (operator tokens only).</summary>
    public static ForgeSettings Load(string path, Func<string, string?>? environment = null)
    {
        if (!File.Exists(path))
        {
            return new ForgeSettings(null, null);
        }

        return Parse(File.ReadAllText(path), path, environment ?? Environment.GetEnvironmentVariable);
    }

    public static ForgeSettings Parse(string yaml, string file, Func<string, string?> environment)
    {
        RawForges? raw;
        try
        {
            raw = Yaml.Deserialize<RawForges?>(yaml);
        }
        catch (YamlException e)
        {
            throw new ForgesFileException(
                file, $"line {e.Start.Line}, column {e.Start.Column}", e.InnerException?.Message ?? e.Message);
        }

        if (raw is null)
        {
            return new ForgeSettings(null, null);
        }

        GitHubSettings? github = null;
        if (raw.Github is { } g)
        {
            github = new GitHubSettings(
                Url(g.WebUrl, file, "github.webUrl"),
                Url(g.ApiUrl, file, "github.apiUrl"),
                ClientId(g.ClientId, file, "github.clientId"),
                Token(g.ApiTokenEnv, file, "github.apiTokenEnv", environment));
        }

        GitLabSettings? gitlab = null;
        if (raw.Gitlab is { } l)
        {
            gitlab = new GitLabSettings(
                Url(l.Url, file, "gitlab.url"),
                ClientId(l.ClientId, file, "gitlab.clientId"),
                Token(l.ApiTokenEnv, file, "gitlab.apiTokenEnv", environment));
        }

        return new ForgeSettings(github, gitlab);
    }

    private static Uri Url(string? value, string file, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ForgesFileException(file, key, "missing; expected an http(s) URL");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ForgesFileException(file, key, $"'{value}' is not an http(s) URL without query or fragment");
        }

        // Plain http is for a loopback stand-in only: tokens must never cross a network in the clear.
        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            throw new ForgesFileException(file, key, $"'{value}' uses http; only loopback addresses may (use https)");
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static string ClientId(string? value, string file, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ForgesFileException(file, key, "missing; expected the OAuth application's client id");
        }

        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || value.Length > 200)
        {
            throw new ForgesFileException(file, key, "expected one word of at most 200 characters");
        }

        return value;
    }

    private static string? Token(string? variable, string file, string key, Func<string, string?> environment)
    {
        if (variable is null)
        {
            return null;
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(variable, "^[A-Za-z_][A-Za-z0-9_]*$"))
        {
            throw new ForgesFileException(file, key, $"'{variable}' is not an environment variable name");
        }

        return environment(variable) is { Length: > 0 } token ? token : null;
    }

    private sealed class RawForges
    {
        public RawGitHub? Github { get; set; }
        public RawGitLab? Gitlab { get; set; }
    }

    private sealed class RawGitHub
    {
        public string? WebUrl { get; set; }
        public string? ApiUrl { get; set; }
        public string? ClientId { get; set; }
        public string? ApiTokenEnv { get; set; }
    }

    private sealed class RawGitLab
    {
        public string? Url { get; set; }
        public string? ClientId { get; set; }
        public string? ApiTokenEnv { get; set; }
    }
}
