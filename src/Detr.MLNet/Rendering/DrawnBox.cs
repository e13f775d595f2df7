namespace Detr.MLNet.Rendering;

/// <summary>A box to draw: x0,y0,x1,y1 in image pixels, its class (for the colour), caption text and optional score.</summary>
public sealed record DrawnBox(float X0, float Y0, float X1, float Y1, int ClassId, string Label, float? Score = null)
{
    /// <summary>"label 0.87", or the label alone.</summary>
    public string Caption => Score is float s ? $"{Label} {s:0.00}" : Label;

    /// <summary>Boxes from the scoring columns (keys are 1-based; <paramref name="labelNames"/> index = class id).</summary>
    public static IReadOnlyList<DrawnBox> FromPredictions(ReadOnlySpan<uint> keys, ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes,
        IReadOnlyList<string> labelNames)
    {
        var result = new List<DrawnBox>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            int classId = (int)keys[i] - 1;
            string label = classId >= 0 && classId < labelNames.Count ? labelNames[classId] : $"class_{classId}";
            result.Add(new DrawnBox(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3], classId, label,
                i < scores.Length ? scores[i] : null));
        }
        return result;
    }
}
