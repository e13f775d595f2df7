using System.Text.Json;

namespace Detr.MLNet.CocoJson;

/// <summary>The entry fields any COCO reading here uses; every other field is skipped.</summary>
enum CocoJsonField
{
    Id,
    ImageId,
    CategoryId,
    Bbox,
    Area,
    IsCrowd,
    Score,
    FileName,
    Width,
    Height,
    Name,
}

/// <summary>The JSON spelling of each <see cref="CocoJsonField"/>.</summary>
static class CocoJsonFieldNames
{
    public const int Count = (int)CocoJsonField.Name + 1;

    static readonly string[] Names = ["id", "image_id", "category_id", "bbox", "area", "iscrowd", "score", "file_name", "width", "height", "name"];
    static readonly byte[][] Utf8Names = [.. Names.Select(System.Text.Encoding.UTF8.GetBytes)];

    public static string Of(CocoJsonField field) => Names[(int)field];

    /// <summary>The field the property name under <paramref name="reader"/> spells (escapes allowed), or null.</summary>
    public static CocoJsonField? Find(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < Utf8Names.Length; i++)
        {
            if (reader.ValueTextEquals(Utf8Names[i]))
                return (CocoJsonField)i;
        }
        return null;
    }
}
