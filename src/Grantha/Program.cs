using Grantha.Cli;

return await Commands.Build().Parse(args).InvokeAsync();
