using System.CommandLine;
using Detr.Cli.Commands;

namespace Detr.Cli;

/// <summary>The <c>detr</c> command tree. Errors become one line on stderr and a non-zero exit code.</summary>
public static class DetrCommandLine
{
    /// <summary>Exit code for bad input (missing file, wrong model, invalid option value).</summary>
    public const int BadInput = 1;

    /// <summary>
    /// Exit code of <c>predict</c> when some images could not be read: every readable one was scored and printed, each
    /// unreadable one got an error object (<c>--json</c>) and a line on stderr. <c>--fail-fast</c> stops at the first
    /// instead, with <see cref="BadInput"/>.
    /// </summary>
    public const int SomeImagesFailed = 3;

    /// <summary>Exit code when the user cancels (Ctrl+C).</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the command line; output and errors go to the given writers (tests capture them).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        var root = new RootCommand("DETR object detection on ML.NET: demo, train, predict, evaluate, export, inspect.");
        foreach (var command in new[] { DemoCommand.Create(console), TrainCommand.Create(console), PredictCommand.Create(console), EvaluateCommand.Create(console), ExportCommand.Create(console), InspectCommand.Create(console) })
            root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("detr: cancelled.");
            return Cancelled;
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"detr: {OneLine(e)}");
            return BadInput;
        }
    }

    static bool IsUserError(Exception e) => e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
        or NotSupportedException or KeyNotFoundException or InvalidOperationException;

    static string OneLine(Exception e)
    {
        // ML.NET wraps errors from cursors; the innermost message is the one that names the file or row.
        while (e.InnerException is not null && e.Message.Length < 40)
            e = e.InnerException;
        return e.Message.ReplaceLineEndings(" ");
    }
}
