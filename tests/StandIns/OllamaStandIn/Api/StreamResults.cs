using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Commons.StandIns.Ollama.Api;

/// <summary>
/// Writes items as they come and flushes each one, so the client sees every token the moment it exists. Ollama's
/// native API streams newline-delimited JSON; its OpenAI API streams server-sent events ending in <c>[DONE]</c>.
/// </summary>
public abstract class StreamResult<T>(IAsyncEnumerable<T> items, JsonTypeInfo<T> typeInfo) : IResult
{
    protected abstract string ContentType { get; }

    protected abstract ReadOnlyMemory<byte> Before { get; }

    protected abstract ReadOnlyMemory<byte> After { get; }

    /// <summary>Written once after the last item; nothing by default.</summary>
    protected virtual ReadOnlyMemory<byte> Closing => ReadOnlyMemory<byte>.Empty;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                await response.Body.WriteAsync(Before, cancellationToken);
                await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(item, typeInfo), cancellationToken);
                await response.Body.WriteAsync(After, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }

            if (!Closing.IsEmpty)
            {
                await response.Body.WriteAsync(Closing, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the server is stopping: the answer ends where it stopped, as a real
            // server's would. The generator has already logged which of the two it was.
        }
    }
}

/// <summary>Newline-delimited JSON, as /api/chat, /api/generate and /api/pull stream.</summary>
public sealed class NdjsonResult<T>(IAsyncEnumerable<T> items, JsonTypeInfo<T> typeInfo)
    : StreamResult<T>(items, typeInfo)
{
    protected override string ContentType => "application/x-ndjson";

    protected override ReadOnlyMemory<byte> Before => ReadOnlyMemory<byte>.Empty;

    protected override ReadOnlyMemory<byte> After => "\n"u8.ToArray();
}

/// <summary>Server-sent events, <c>data: {…}</c> each, then <c>data: [DONE]</c>, as OpenAI clients expect.</summary>
public sealed class ServerSentEventsResult<T>(IAsyncEnumerable<T> items, JsonTypeInfo<T> typeInfo)
    : StreamResult<T>(items, typeInfo)
{
    protected override string ContentType => "text/event-stream";

    protected override ReadOnlyMemory<byte> Before => "data: "u8.ToArray();

    protected override ReadOnlyMemory<byte> After => "\n\n"u8.ToArray();

    protected override ReadOnlyMemory<byte> Closing => "data: [DONE]\n\n"u8.ToArray();
}
