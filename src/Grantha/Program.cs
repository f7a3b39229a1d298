using Grantha.Cli;

// Stages mix async I/O with synchronous CPU work (parsing pages). With the pool's default of one
// thread per core, a timed send (a polite request start) could wait behind that work.
ThreadPool.GetMinThreads(out var workers, out var io);
ThreadPool.SetMinThreads(Math.Max(workers, 32), io);

return await Commands.Build().Parse(args).InvokeAsync();
