namespace Commons.Contracts;

/// <summary>A model of the catalog, as <c>GET /v1/models</c> lists it.</summary>
/// <param name="Name">The name people type, with its tag where it has one (<c>llama3</c>, <c>llama3:70b</c>).</param>
/// <param name="Runtimes">The model's id on each runtime a site may offer, such as <c>ollama</c>.</param>
/// <param name="Gpus">GPUs a job of this model asks for by default.</param>
/// <param name="GpuMemoryGb">GPU memory the model needs, over all its GPUs.</param>
public sealed record ModelView(
    string Name, string Description, IReadOnlyDictionary<string, string> Runtimes, int Gpus, int GpuMemoryGb);

/// <summary>
/// Body of <c>POST /v1/models/{name}/job</c>: returns the caller's warm job of that model, or starts one.
/// </summary>
/// <param name="RequestId">Idempotency key, as for <see cref="SubmitJobRequest"/>.</param>
/// <param name="KeepAlive">How long the job stays warm after its last request: a duration such as <c>5m</c>
/// (the default, as in Ollama), <c>0</c> to stop when the client says it is done, or a negative value to keep it
/// until its walltime.</param>
/// <param name="Gpus">GPUs as <c>TYPE:N</c> or <c>N</c>; the catalog's count of any type when omitted.</param>
public sealed record ModelJobRequest(
    string RequestId, string? Site = null, string? Gpus = null, string? KeepAlive = null, string? Time = null);
