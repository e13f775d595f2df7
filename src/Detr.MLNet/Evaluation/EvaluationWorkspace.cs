namespace Detr.MLNet.Evaluation;

/// <summary>
/// Scratch buffers owned by one worker thread and reused across every unit and category it processes, so the
/// per-image work allocates nothing. Each accessor grows its buffer when needed and returns a span of the asked size.
/// </summary>
internal sealed class EvaluationWorkspace
{
    private double[] _iou = [];
    private int[] _groundTruthOrder = [];
    private bool[] _groundTruthIgnored = [];
    private bool[] _groundTruthMatched = [];
    private byte[] _outsideRange = [];
    private byte[] _outcomes = [];
    private ulong[] _rankingKeys = [];
    private int[] _ranking = [];
    private double[] _rankAreas = [];
    private int[] _imageOfPosition = [];
    private int[] _rankOf = [];
    private int[] _unitOrder = [];
    private double[] _rankScores = [];
    private int[] _rankCapLevels = [];
    private int[] _imageCounters = [];
    private double[] _hitPrecision = [];
    private double[] _hitScores = [];

    /// <summary>D×G IoU matrix, row per detection, column per ground truth in input order.</summary>
    public Span<double> Iou(int length) => Take(ref _iou, length);

    /// <summary>Ground-truth indices with counted boxes first, ignored ones after, each group in input order.</summary>
    public Span<int> GroundTruthOrder(int length) => Take(ref _groundTruthOrder, length);

    /// <summary>Ignore flag of each ground truth, indexed in matching order.</summary>
    public Span<bool> GroundTruthIgnored(int length) => Take(ref _groundTruthIgnored, length);

    /// <summary>Whether each ground truth (matching order) already took a detection at the current IoU threshold.</summary>
    public Span<bool> GroundTruthMatched(int length) => Take(ref _groundTruthMatched, length);

    /// <summary>Per detection of a unit and area range, 1 when the detection's own area is outside the range.</summary>
    public Span<byte> OutsideRange(int length) => Take(ref _outsideRange, length);

    /// <summary>Outcome of every ranked detection of a category, laid out [area, IoU threshold, rank].</summary>
    public Span<byte> Outcomes(int length) => Take(ref _outcomes, length);

    /// <summary>Sort key of each detection of a category (<see cref="DescendingScoreOrder.Key"/>).</summary>
    public Span<ulong> RankingKeys(int length) => Take(ref _rankingKeys, length);

    /// <summary>A category's detection positions across images, to be sorted by descending score.</summary>
    public Span<int> Ranking(int length) => Take(ref _ranking, length);

    /// <summary>Area of each ranked detection.</summary>
    public Span<double> RankAreas(int length) => Take(ref _rankAreas, length);

    /// <summary>Image (index among the evaluated images) of each detection of a category, by position.</summary>
    public Span<int> ImageOfPosition(int length) => Take(ref _imageOfPosition, length);

    /// <summary>Rank of each detection of a category, by position (-1: past the largest cap in its image).</summary>
    public Span<int> RankOf(int length) => Take(ref _rankOf, length);

    /// <summary>Each image's detections of a category in matching order, at the image's offset.</summary>
    public Span<int> UnitOrder(int length) => Take(ref _unitOrder, length);

    /// <summary>Score of each ranked detection.</summary>
    public Span<double> RankScores(int length) => Take(ref _rankScores, length);

    /// <summary>First cap each ranked detection falls within.</summary>
    public Span<int> RankCapLevels(int length) => Take(ref _rankCapLevels, length);

    /// <summary>A counter per image.</summary>
    public Span<int> ImageCounters(int length) => Take(ref _imageCounters, length);

    /// <summary>Precision after each true positive, per cap.</summary>
    public Span<double> HitPrecision(int length) => Take(ref _hitPrecision, length);

    /// <summary>Score of each true positive, per cap.</summary>
    public Span<double> HitScores(int length) => Take(ref _hitScores, length);

    private static Span<T> Take<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, length);
    }
}
