namespace Detr.Cli.Pipeline;

/// <summary>The one input column the CLI feeds models.</summary>
public sealed class ImagePathRow
{
    /// <summary>Path of the image file.</summary>
    public string ImagePath { get; set; } = "";
}
