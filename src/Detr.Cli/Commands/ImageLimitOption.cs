using System.CommandLine;
using Detr.MLNet.Imaging;

namespace Detr.Cli.Commands;

/// <summary><c>--max-image-pixels</c>, shared by the commands that read images: the limit checked before decoding.</summary>
static class ImageLimitOption
{
    public static Option<long> Create() => new("--max-image-pixels")
    {
        Description = $"Refuse images whose header claims more pixels than this, before decoding them (default {ImageFileGuard.DefaultMaxPixels}, Pillow's limit; 0 lifts it).",
        DefaultValueFactory = _ => ImageFileGuard.DefaultMaxPixels,
    };

    /// <summary>The limit as the library takes it: null for none.</summary>
    public static long? Value(ParseResult parsed, Option<long> option) => parsed.GetValue(option) switch
    {
        0 => null,
        < 0 and var v => throw new ArgumentException($"--max-image-pixels must be positive, or 0 for no limit (got {v})."),
        var v => v,
    };
}
