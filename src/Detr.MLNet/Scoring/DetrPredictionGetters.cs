using Detr.MLNet.Postprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>Getters of the three output columns over a source of the current row's detections.</summary>
static class DetrPredictionGetters
{
    /// <summary>Output column offset (0 label, 1 score, 2 boxes) → getter over <paramref name="current"/>.</summary>
    public static ValueGetter<TValue> Create<TValue>(int outputOffset, Func<DetrDetections> current, string columnName)
    {
        Delegate getter = outputOffset switch
        {
            0 => (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> dst) =>
            {
                var detections = current();
                var editor = VBufferEditor.Create(ref dst, detections.Count);
                for (int i = 0; i < detections.Count; i++)
                    editor.Values[i] = (uint)detections.ClassIds[i] + 1; // ML.NET keys are 1-based; 0 means missing
                dst = editor.Commit();
            }),
            1 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => Copy(current().Scores, ref dst)),
            2 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => Copy(current().Boxes, ref dst)),
            _ => throw new ArgumentOutOfRangeException(nameof(outputOffset)),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{columnName}' cannot be read as {typeof(TValue).Name}; " +
                $"it holds {(outputOffset == 0 ? "VBuffer<uint> (keys)" : "VBuffer<float>")}.");
    }

    static void Copy(float[] values, ref VBuffer<float> dst)
    {
        var editor = VBufferEditor.Create(ref dst, values.Length);
        values.CopyTo(editor.Values);
        dst = editor.Commit();
    }
}
