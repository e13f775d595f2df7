namespace Detr.MLNet.Data;

/// <summary>Clips ground-truth boxes to their image and rejects empty ones, counting each repair.</summary>
static class BoxSanitizer
{
    /// <summary>The clipped box, or null when nothing of it is left inside the image.</summary>
    public static (float X0, float Y0, float X1, float Y1)? Clip(float x0, float y0, float x1, float y1, int width, int height,
        DatasetReadReport report, string where)
    {
        if (float.IsNaN(x0) || float.IsNaN(y0) || float.IsNaN(x1) || float.IsNaN(y1))
            throw new InvalidDataException($"{where}: box has a NaN coordinate.");
        float cx0 = Math.Clamp(x0, 0, width), cy0 = Math.Clamp(y0, 0, height);
        float cx1 = Math.Clamp(x1, 0, width), cy1 = Math.Clamp(y1, 0, height);
        if (cx1 <= cx0 || cy1 <= cy0)
        {
            report.Add(DatasetReadReport.Kinds.ZeroAreaBox, $"{where} [{x0},{y0},{x1},{y1}]");
            return null;
        }
        if (cx0 != x0 || cy0 != y0 || cx1 != x1 || cy1 != y1)
            report.Add(DatasetReadReport.Kinds.BoxClipped, $"{where} [{x0},{y0},{x1},{y1}]");
        return (cx0, cy0, cx1, cy1);
    }
}
