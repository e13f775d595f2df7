using System.CommandLine;
using Detr.Cli.Demo;

namespace Detr.Cli.Commands;

/// <summary><c>detr demo</c>: the whole job on an embedded default, no downloads.</summary>
static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--out") { Description = "Folder for the dataset, model, metrics and pictures.", DefaultValueFactory = _ => "detr-demo" };
        var preset = new Option<string>("--preset") { Description = "short (a few minutes on 2 cores), long (reaches the mAP target), or tiny (seconds, for tests).", DefaultValueFactory = _ => "short" };
        var command = new Command("demo", "Generate a shapes dataset, train a small DETR, export ONNX, score and evaluate the held-out images through ML.NET, and write the results.") { output, preset };
        command.SetAction(parsed =>
        {
            using var cancellation = CancelOnCtrlC.Create();
            new DemoRunner(console, parsed.GetValue(output)!, DemoPreset.Named(parsed.GetValue(preset)!), cancellation.Token).Run();
            return 0;
        });
        return command;
    }
}
