using Spectre.Console;

namespace Detr.Cli;

/// <summary>The tool's output: plain lines (for JSON and scripts) and a Spectre console for tables and progress.</summary>
public sealed class CliConsole
{
    /// <summary>Wraps the writers the tool prints to.</summary>
    public CliConsole(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Rich = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = output == Console.Out ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = output == Console.Out ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Spectre wraps at 80 columns when it finds no terminal, which broke every progress line in logs and pipes.
        if (output != Console.Out || Console.IsOutputRedirected)
            Rich.Profile.Width = UnwrappedWidth;
    }

    // Wide enough that no line of the tool's wraps; tables still take only the width they need.
    const int UnwrappedWidth = 4096;

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Tables, rules and progress.</summary>
    public IAnsiConsole Rich { get; }
}
