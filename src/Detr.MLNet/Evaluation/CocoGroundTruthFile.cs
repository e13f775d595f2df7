namespace Detr.MLNet.Evaluation;

/// <summary>What a COCO ground-truth file contributes to a bbox evaluation.</summary>
/// <param name="ImageIds">Ids from the <c>images</c> list, in file order (images without annotations included).</param>
/// <param name="CategoryIds">Ids from the <c>categories</c> list, in file order (categories without annotations included).</param>
/// <param name="Boxes">The <c>annotations</c>, in file order.</param>
public sealed record CocoGroundTruthFile(
    IReadOnlyList<int> ImageIds,
    IReadOnlyList<int> CategoryIds,
    IReadOnlyList<CocoGroundTruthBox> Boxes)
{
    /// <summary>The <c>categories</c>' names by id, for reports (evaluation needs none; unnamed categories are absent).</summary>
    public IReadOnlyDictionary<int, string> CategoryNames { get; init; } = new Dictionary<int, string>().AsReadOnly();
}
