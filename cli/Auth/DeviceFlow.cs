using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Commons.Contracts;

namespace Commons.Cli.Auth;

/// <summary>The codes a forge handed out for one device-flow sign-in.</summary>
/// <param name="VerificationUri">The forge's own page where the person types the code, as the forge sent it.</param>
internal sealed record DeviceCode(string Code, string UserCode, Uri VerificationUri, TimeSpan ExpiresIn, TimeSpan Interval);

/// <summary>How a device flow ended.</summary>
internal enum DeviceFlowOutcome
{
    Granted,
    Denied,
    Expired,
}

/// <summary>The forge refused the flow, or answered something that is not a device flow.</summary>
internal sealed class DeviceFlowException(string message) : Exception(message);

/// <summary>
/// OAuth 2.0 device authorization (RFC 8628) as GitHub and GitLab run it, and as <c>gh auth login</c> drives it: ask
/// for a code, let the person approve it in their browser, poll at the interval the forge gives (5 s more after each
/// <c>slow_down</c>) until the forge grants a token, the person denies it, or the code expires. GitHub answers
/// form-encoded unless asked for JSON and reports errors with status 200; GitLab answers JSON and uses 400; both are
/// read here.
/// </summary>
internal sealed class DeviceFlow(HttpClient http, ForgeProvider provider, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    // Polling exactly at the interval can land a hair early by the forge's clock and earn a slow_down; a quarter
    // second more costs nothing.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? ((interval, token) => Task.Delay(interval + Margin, token));

    /// <summary>Every wait between polls, in order; says what the flow did.</summary>
    public List<TimeSpan> Waits { get; } = [];

    public async Task<DeviceCode> StartAsync(CancellationToken cancellationToken)
    {
        var fields = await PostAsync(
            provider.DeviceCodeUrl, [new("client_id", provider.ClientId), new("scope", provider.Scope)], cancellationToken);
        if (fields.TryGetValue("error", out var error))
        {
            throw new DeviceFlowException(
                $"{provider.Name} refused to start sign-in: {Printable(error)}{Describe(fields)}");
        }

        var deviceCode = Required(fields, "device_code");
        var userCode = Required(fields, "user_code");
        var verification = Required(fields, "verification_uri");

        // The address shown is the forge's own, never one assembled here; it must at least be on the forge's host,
        // so a tampered answer cannot send the person to another site to type their code.
        var forgeHost = new Uri(provider.DeviceCodeUrl).Host;
        if (!Uri.TryCreate(verification, UriKind.Absolute, out var verificationUri)
            || verificationUri.Scheme is not ("https" or "http")
            || !verificationUri.Host.Equals(forgeHost, StringComparison.OrdinalIgnoreCase))
        {
            throw new DeviceFlowException(
                $"{provider.Name} sent a verification address '{verification}' that is not on {forgeHost}; not showing it");
        }

        return new DeviceCode(
            deviceCode, userCode, verificationUri, Seconds(fields, "expires_in", 900), Seconds(fields, "interval", 5));
    }

    /// <summary>Polls until the forge decides; returns the access token when granted.</summary>
    public async Task<(DeviceFlowOutcome Outcome, string? AccessToken)> PollAsync(
        DeviceCode code, Action<TimeSpan>? slowedDown, CancellationToken cancellationToken)
    {
        var interval = code.Interval;
        var deadline = DateTimeOffset.UtcNow + code.ExpiresIn;
        var failures = 0;
        while (true)
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                return (DeviceFlowOutcome.Expired, null);
            }

            Waits.Add(interval);
            await _delay(interval, cancellationToken);
            Dictionary<string, string> fields;
            try
            {
                fields = await PostAsync(
                    provider.TokenUrl,
                    [
                        new("client_id", provider.ClientId),
                        new("device_code", code.Code),
                        new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ],
                    cancellationToken);
                failures = 0;
            }
            catch (HttpRequestException) when (++failures < 4)
            {
                continue; // a blip between polls; the code stays valid, so try again at the next interval
            }

            if (fields.TryGetValue("access_token", out var token) && token.Length > 0)
            {
                return (DeviceFlowOutcome.Granted, token);
            }

            switch (fields.GetValueOrDefault("error"))
            {
                case "authorization_pending":
                    break;
                case "slow_down":
                    var asked = Seconds(fields, "interval", 0);
                    interval = asked > interval ? asked : interval + SlowDownStep;
                    slowedDown?.Invoke(interval);
                    break;
                case "access_denied":
                    return (DeviceFlowOutcome.Denied, null);
                case "expired_token":
                    return (DeviceFlowOutcome.Expired, null);
                case { } other:
                    throw new DeviceFlowException($"{provider.Name} ended sign-in: {Printable(other)}{Describe(fields)}");
                default:
                    throw new DeviceFlowException($"{provider.Name} answered neither a token nor an error");
            }
        }
    }

    private async Task<Dictionary<string, string>> PostAsync(
        string url, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var fields = Parse(text, response.Content.Headers.ContentType?.MediaType);
        if (fields is null || (!response.IsSuccessStatusCode && !fields.ContainsKey("error")))
        {
            if ((int)response.StatusCode >= 500)
            {
                throw new HttpRequestException($"{provider.Name} answered {(int)response.StatusCode}");
            }

            throw new DeviceFlowException(
                $"{provider.Name} answered {(int)response.StatusCode} from {url}, which is not a device-flow answer");
        }

        return fields;
    }

    /// <summary>Reads a JSON object or a form-encoded body into field → text.</summary>
    internal static Dictionary<string, string>? Parse(string text, string? mediaType)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mediaType is "application/json" || text.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    fields[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => property.Value.GetRawText(),
                    };
                }

                return fields;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        foreach (var pair in text.Trim().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            fields[Uri.UnescapeDataString(pair[..equals].Replace('+', ' '))] =
                Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }

        return fields.Count == 0 ? null : fields;
    }

    private string Required(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.Length > 0 && !value.Any(char.IsControl)
            ? value
            : throw new DeviceFlowException($"{provider.Name}'s answer has no usable '{name}'");

    private static TimeSpan Seconds(Dictionary<string, string> fields, string name, int fallback) =>
        TimeSpan.FromSeconds(
            fields.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n is > 0 and < 86_400
                ? n
                : fallback);

    private static string Describe(Dictionary<string, string> fields) =>
        fields.TryGetValue("error_description", out var description) && description.Length > 0 ? $" ({Printable(description)})" : "";

    /// <summary>What a forge sent, fit for a terminal: control characters (escape sequences, newlines) become '?'.</summary>
    private static string Printable(string text) =>
        new([.. text.Take(300).Select(c => char.IsControl(c) ? '?' : c)]);
}
