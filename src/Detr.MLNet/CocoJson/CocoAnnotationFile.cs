using Detr.MLNet.Evaluation;

namespace Detr.MLNet.CocoJson;

/// <summary>A COCO annotation file as <see cref="CocoJsonReader"/> read it under some <see cref="CocoJsonRules"/>, in file order.</summary>
/// <param name="Images">The <c>images</c> entries.</param>
/// <param name="Categories">The <c>categories</c> entries; null when the file has no <c>categories</c> array (allowed unless the rules need names).</param>
/// <param name="Annotations">The <c>annotations</c> entries (empty when the file has none).</param>
sealed record CocoAnnotationFile(List<CocoJsonImage> Images, List<CocoJsonCategory>? Categories, List<CocoJsonAnnotation> Annotations);

/// <summary>An <c>images</c> entry; <paramref name="FileName"/>, <paramref name="Width"/> and <paramref name="Height"/> are read only when the rules need them (else null, 0, 0).</summary>
readonly record struct CocoJsonImage(int Id, string? FileName, int Width, int Height);

/// <summary>A <c>categories</c> entry; <paramref name="Name"/> is null when absent or not a string and the rules allow that.</summary>
readonly record struct CocoJsonCategory(int Id, string? Name);

/// <summary>An <c>annotations</c> entry: its box with pycocotools' defaults applied, and its id (null when absent or not a number) for messages.</summary>
readonly record struct CocoJsonAnnotation(CocoGroundTruthBox Box, double? Id);
