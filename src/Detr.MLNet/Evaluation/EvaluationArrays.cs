namespace Detr.MLNet.Evaluation;

/// <summary>
/// The accumulated arrays in pycocotools' layout, flat and row-major: precision and scores [T,R,K,A,M], recall
/// [T,K,A,M], every slot starting at -1 ("no ground truth for this setting"). Each category writes only its own
/// slots, so categories can be filled concurrently.
/// </summary>
internal sealed class EvaluationArrays
{
    public EvaluationArrays(int thresholds, int recallPoints, int categories, int areas, int caps)
    {
        T = thresholds;
        R = recallPoints;
        K = categories;
        A = areas;
        M = caps;
        Precision = Filled(checked(T * R * K * A * M));
        Scores = Filled(Precision.Length);
        Recall = Filled(checked(T * K * A * M));
    }

    /// <summary>Number of IoU thresholds.</summary>
    public int T { get; }

    /// <summary>Number of recall thresholds.</summary>
    public int R { get; }

    /// <summary>Number of categories.</summary>
    public int K { get; }

    /// <summary>Number of area ranges.</summary>
    public int A { get; }

    /// <summary>Number of max-detection caps.</summary>
    public int M { get; }

    /// <summary>Interpolated precision [T,R,K,A,M].</summary>
    public double[] Precision { get; }

    /// <summary>Score of the detection each precision sample was read at [T,R,K,A,M].</summary>
    public double[] Scores { get; }

    /// <summary>Final recall [T,K,A,M].</summary>
    public double[] Recall { get; }

    /// <summary>Flat index of [t,r,k,a,m].</summary>
    public int PrecisionIndex(int t, int r, int k, int a, int m) => (((t * R + r) * K + k) * A + a) * M + m;

    /// <summary>Flat index of [t,k,a,m].</summary>
    public int RecallIndex(int t, int k, int a, int m) => ((t * K + k) * A + a) * M + m;

    /// <summary>Stores one precision sample and its score.</summary>
    public void SetPrecision(int t, int r, int k, int a, int m, double precision, double score)
    {
        int index = PrecisionIndex(t, r, k, a, m);
        Precision[index] = precision;
        Scores[index] = score;
    }

    /// <summary>Stores one final recall.</summary>
    public void SetRecall(int t, int k, int a, int m, double recall) => Recall[RecallIndex(t, k, a, m)] = recall;

    private static double[] Filled(int length)
    {
        var values = new double[length];
        Array.Fill(values, -1.0);
        return values;
    }
}
