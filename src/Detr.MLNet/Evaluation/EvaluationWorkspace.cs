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
    private byte[] _outcomes = [];
    private int[] _detectionRank = [];
    private ScoredPosition[] _ranking = [];
    private double[] _recall = [];
    private double[] _precision = [];
    private double[] _scores = [];

    /// <summary>D×G IoU matrix, row per detection, column per ground truth in input order.</summary>
    public Span<double> Iou(int length) => Take(ref _iou, length);

    /// <summary>Ground-truth indices with counted boxes first, ignored ones after, each group in input order.</summary>
    public Span<int> GroundTruthOrder(int length) => Take(ref _groundTruthOrder, length);

    /// <summary>Ignore flag of each ground truth, indexed in matching order.</summary>
    public Span<bool> GroundTruthIgnored(int length) => Take(ref _groundTruthIgnored, length);

    /// <summary>Whether each ground truth (matching order) already took a detection at the current IoU threshold.</summary>
    public Span<bool> GroundTruthMatched(int length) => Take(ref _groundTruthMatched, length);

    /// <summary>Outcome of every detection of a category, laid out [area, IoU threshold, detection].</summary>
    public Span<byte> Outcomes(int length) => Take(ref _outcomes, length);

    /// <summary>Rank of each detection of a category inside its own image (0 = highest score there).</summary>
    public Span<int> DetectionRank(int length) => Take(ref _detectionRank, length);

    /// <summary>A category's detections across images, to be sorted by descending score.</summary>
    public Span<ScoredPosition> Ranking(int length) => Take(ref _ranking, length);

    /// <summary>Recall after each ranked detection.</summary>
    public Span<double> RecallCurve(int length) => Take(ref _recall, length);

    /// <summary>Precision after each ranked detection.</summary>
    public Span<double> PrecisionCurve(int length) => Take(ref _precision, length);

    /// <summary>Score of each ranked detection.</summary>
    public Span<double> ScoreCurve(int length) => Take(ref _scores, length);

    private static Span<T> Take<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, length);
    }
}
