using System.Net.Http.Json;
using System.Text.Json;

namespace Commons.Cli.Models;

/// <summary>A model server's Ollama API, as the chat needs it: version and streamed chat.</summary>
internal sealed class OllamaClient(HttpClient http)
{
    public async Task<string?> VersionAsync(CancellationToken cancellationToken)
    {
        var reply = await http.GetFromJsonAsync("/api/version", OllamaJson.Default.VersionReply, cancellationToken);
        return reply?.Version;
    }

    /// <summary>
    /// Sends a chat and hands each piece of the answer to <paramref name="onText"/> as it arrives. Returns the final
    /// object, with the timings. Cancelling stops the answer: the connection closes and the server stops generating.
    /// </summary>
    public async Task<ChatChunk> ChatAsync(ChatRequest request, Action<string> onText, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/chat")
        {
            Content = JsonContent.Create(request, OllamaJson.Default.ChatRequest),
        };
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(ErrorText(body) ?? $"the model server answered {(int)response.StatusCode}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var chunk = JsonSerializer.Deserialize(line, OllamaJson.Default.ChatChunk)
                ?? throw new InvalidOperationException("the model server sent an empty object");
            if (chunk.Error is not null)
            {
                throw new InvalidOperationException(chunk.Error);
            }

            if (chunk.Message?.Content is { Length: > 0 } text)
            {
                onText(text);
            }

            if (chunk.Done)
            {
                return chunk;
            }
        }

        throw new IOException("the model server closed the answer before it was done");
    }

    private static string? ErrorText(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, OllamaJson.Default.ErrorReply)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
