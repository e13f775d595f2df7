namespace Detr.MLNet.Evaluation;

/// <summary>A named object-size bucket; an object belongs to it when <c>Min ≤ area ≤ Max</c> (both ends inclusive).</summary>
/// <param name="Name">Label used by the summary, e.g. <c>all</c>, <c>small</c>, <c>medium</c>, <c>large</c>.</param>
/// <param name="Min">Smallest area in the bucket.</param>
/// <param name="Max">Largest area in the bucket.</param>
public readonly record struct CocoAreaRange(string Name, double Min, double Max)
{
    /// <summary>True when <paramref name="area"/> falls outside the bucket, with the same inclusive bounds as pycocotools.</summary>
    public bool Excludes(double area) => area < Min || area > Max;
}
