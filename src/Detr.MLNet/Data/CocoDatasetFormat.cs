using System.Text.Json.Serialization;

namespace Detr.MLNet.Data;

// The COCO detection JSON layout as CocoDatasetWriter writes it (CocoJsonReader reads it back). Only the fields detection needs.
sealed class CocoFile
{
    [JsonPropertyName("images")] public List<CocoImageEntry>? Images { get; set; }
    [JsonPropertyName("annotations")] public List<CocoAnnotationEntry>? Annotations { get; set; }
    [JsonPropertyName("categories")] public List<CocoCategoryEntry>? Categories { get; set; }
}

sealed class CocoImageEntry
{
    [JsonPropertyName("id")] public int? Id { get; set; }
    [JsonPropertyName("file_name")] public string? FileName { get; set; }
    [JsonPropertyName("width")] public int? Width { get; set; }
    [JsonPropertyName("height")] public int? Height { get; set; }
}

sealed class CocoAnnotationEntry
{
    [JsonPropertyName("id")] public long? Id { get; set; }
    [JsonPropertyName("image_id")] public int? ImageId { get; set; }
    [JsonPropertyName("category_id")] public int? CategoryId { get; set; }
    [JsonPropertyName("bbox")] public double[]? Bbox { get; set; }
    [JsonPropertyName("area")] public double? Area { get; set; }
    [JsonPropertyName("iscrowd")] public int? IsCrowd { get; set; }
}

sealed class CocoCategoryEntry
{
    [JsonPropertyName("id")] public int? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
}

/// <summary>One detection in COCO's results format (what <c>loadRes</c> and the evaluation server read).</summary>
public sealed class CocoResultEntry
{
    /// <summary>COCO image id.</summary>
    [JsonPropertyName("image_id")] public int ImageId { get; set; }

    /// <summary>COCO category id.</summary>
    [JsonPropertyName("category_id")] public int CategoryId { get; set; }

    /// <summary>x, y, width, height in pixels.</summary>
    [JsonPropertyName("bbox")] public double[] Bbox { get; set; } = [];

    /// <summary>Confidence.</summary>
    [JsonPropertyName("score")] public double Score { get; set; }
}
