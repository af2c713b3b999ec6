using Commons.StandIns.Ollama.Hosting;

// ollama-standin: test support, not a product. It answers Ollama's HTTP API with fixed, deterministic text so
// that Compute Commons can be exercised end to end on machines without GPUs. A job script starts it exactly as
// it would start the real server: OLLAMA_HOST=127.0.0.1:PORT ollama-standin serve
return await StandInProgram.RunAsync(args);
