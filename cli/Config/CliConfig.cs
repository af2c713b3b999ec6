using System.Text.Json;

namespace Commons.Cli.Config;

/// <summary>Where the CLI finds its bridge and token.</summary>
internal sealed record CliSettings(Uri Bridge, string Token);

/// <summary>A setting is missing or the config file is unsafe; the message says what to do.</summary>
internal sealed class CliConfigException(string message) : Exception(message);

/// <summary>
/// The CLI's settings: <c>COMMONS_BRIDGE</c> and <c>COMMONS_TOKEN</c> win; otherwise the config file
/// <c>$XDG_CONFIG_HOME/commons/config.json</c> (or <c>~/.config/commons/config.json</c>). The file holds a token,
/// so the CLI creates it 0600 and refuses to read it, on every read, if anyone else may.
/// </summary>
internal static class CliConfig
{
    public const string BridgeVariable = "COMMONS_BRIDGE";
    public const string TokenVariable = "COMMONS_TOKEN";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static string FilePath
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return Path.Combine(home, "commons", "config.json");
        }
    }

    public static CliSettings Load()
    {
        var file = ReadFile();
        var bridge = Environment.GetEnvironmentVariable(BridgeVariable) is { Length: > 0 } b ? b : file?.Bridge;
        var token = Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } t ? t : file?.Token;
        if (string.IsNullOrEmpty(bridge))
        {
            throw new CliConfigException(
                $"no bridge configured; set {BridgeVariable} or run `commons login --bridge URL --with-token`");
        }

        if (!Uri.TryCreate(bridge, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliConfigException($"bridge address '{bridge}' is not an http(s) URL");
        }

        if (string.IsNullOrEmpty(token))
        {
            throw new CliConfigException($"not signed in; set {TokenVariable} or run `commons login --with-token`");
        }

        return new CliSettings(uri, token);
    }

    /// <summary>The bridge address from the environment or the config file, or null; needs no token.</summary>
    public static string? ConfiguredBridge() =>
        Environment.GetEnvironmentVariable(BridgeVariable) is { Length: > 0 } b ? b : ReadFile()?.Bridge;

    /// <summary>
    /// The token that belongs to <paramref name="bridge"/>: the environment's when COMMONS_BRIDGE names that bridge,
    /// else the saved one when it was saved with that bridge; null otherwise.
    /// </summary>
    public static string? TokenFor(Uri bridge)
    {
        static bool Same(string? a, Uri b) => Uri.TryCreate(a, UriKind.Absolute, out var u) && Uri.Compare(
            u, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token
            && Same(Environment.GetEnvironmentVariable(BridgeVariable), bridge))
        {
            return token;
        }

        var file = ReadFile();
        return file?.Token is { Length: > 0 } saved && Same(file.Bridge, bridge) ? saved : null;
    }

    /// <summary>The token saved in the config file (not the environment's), or null.</summary>
    public static string? SavedToken() => ReadFile()?.Token;

    /// <summary>Writes the file with mode 0600 from the start: there is no moment when the token is readable by others.</summary>
    public static void Save(string bridge, string? token)
    {
        var path = FilePath;
        var folder = Path.GetDirectoryName(path)!;
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            // Windows has no mode bits; the profile folder's ACL keeps the file private.
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = OwnerOnly;
        }

        File.Delete(temp);
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, new ConfigFile(bridge, token), JsonDefaults.Context.ConfigFile);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static ConfigFile? ReadFile()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && (mode & GroupOrOther) != 0)
        {
            throw new CliConfigException(
                $"{path} can be read by others (mode {Convert.ToString((int)mode, 8)}); it holds your token. " +
                $"Run `chmod 600 {path}` and consider the token exposed.");
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), JsonDefaults.Context.ConfigFile);
        }
        catch (JsonException e)
        {
            throw new CliConfigException($"{path} is not valid JSON ({e.Message}); fix or delete it");
        }
    }
}

/// <summary>The config file's content.</summary>
internal sealed record ConfigFile(string? Bridge, string? Token);
