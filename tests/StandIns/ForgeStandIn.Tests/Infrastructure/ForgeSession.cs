using System.Net.Http.Headers;
using Commons.StandIns.Forge.Hosting;

namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>A stand-in started in this process and an HttpClient pointed at it, for one fixture or one test.</summary>
public sealed class ForgeSession : IAsyncDisposable
{
    private ForgeSession(RunningForgeStandIn forge)
    {
        Forge = forge;
        Http = new HttpClient { BaseAddress = forge.BaseUrl };
    }

    public RunningForgeStandIn Forge { get; }

    public HttpClient Http { get; }

    /// <summary>Starts the stand-in on <paramref name="yaml"/> (the test world by default); see <see cref="StandIn"/>.</summary>
    public static async Task<ForgeSession> StartAsync(
        string yaml = TestWorld.Yaml, Func<ForgeSettings, ForgeSettings>? adjust = null, TimeProvider? time = null) =>
        new(await StandIn.StartAsync(yaml, adjust, time));

    public async Task<Answer> GetAsync(string path, string? authorization = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await SendAsync(request);
    }

    /// <summary>A GET that must answer 200; the body is shown when it does not.</summary>
    public async Task<Answer> GetOkAsync(string path)
    {
        var answer = await GetAsync(path);
        Assert.That(answer.Status, Is.EqualTo(200), answer.Text);
        return answer;
    }

    /// <summary>Posts a form; <paramref name="json"/> asks for a JSON answer with <c>Accept</c>.</summary>
    public async Task<Answer> PostFormAsync(string path, IReadOnlyDictionary<string, string> form, bool json = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (json)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        return await SendAsync(request);
    }

    public async Task<Answer> PostAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        return await SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Forge.DisposeAsync();
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request);
        return new Answer(response, await response.Content.ReadAsStringAsync());
    }
}
