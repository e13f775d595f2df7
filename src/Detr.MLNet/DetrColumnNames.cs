namespace Detr.MLNet;

/// <summary>Default column names, matching ML.NET's object-detection columns.</summary>
public static class DetrColumnNames
{
    /// <summary>Decoded image (<c>MLImage</c>).</summary>
    public const string Image = "Image";

    /// <summary>Path of the image file.</summary>
    public const string ImagePath = "ImagePath";

    /// <summary>Ground-truth classes: vector of key with class names as key values.</summary>
    public const string Labels = "Labels";

    /// <summary>Ground-truth boxes: x0,y0,x1,y1 per box in pixels.</summary>
    public const string Boxes = "Boxes";

    /// <summary>Predicted classes: vector of key with class names as key values.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>Confidence per prediction.</summary>
    public const string Score = "Score";

    /// <summary>Predicted boxes: x0,y0,x1,y1 per prediction in pixels of the original image.</summary>
    public const string PredictedBoundingBoxes = "PredictedBoundingBoxes";
}
