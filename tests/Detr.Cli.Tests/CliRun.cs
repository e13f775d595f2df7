using Detr.Cli;

namespace Detr.Cli.Tests;

/// <summary>Runs the tool in-process and captures what it prints.</summary>
static class CliRun
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DetrCommandLine.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "scoring", name);
}

sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("detr-cli-tests-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
