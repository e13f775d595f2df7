using System.CommandLine;

namespace Detr.Cli.Commands;

/// <summary>
/// <c>--shortest-edge</c> and <c>--longest-edge</c>, shared by the commands that score: the resize before the model
/// (default: what the model's metadata says, else the reference's 800/1333).
/// </summary>
sealed class ResizeOptions
{
    public Option<int?> ShortestEdge { get; } = new("--shortest-edge") { Description = "Resize so the short side is this many pixels (default: the model's metadata, else 800)." };

    public Option<int?> LongestEdge { get; } = new("--longest-edge") { Description = "…and the long side at most this many (default: the model's metadata, else 1333)." };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(ShortestEdge);
        command.Options.Add(LongestEdge);
    }

    /// <summary>The sizes given, null where the model's own apply.</summary>
    public (int? Shortest, int? Longest) Values(ParseResult parsed)
    {
        int? shortest = parsed.GetValue(ShortestEdge), longest = parsed.GetValue(LongestEdge);
        if (shortest is <= 0 || longest is <= 0)
            throw new ArgumentException("--shortest-edge and --longest-edge must be positive pixel counts.");
        return (shortest, longest);
    }
}
