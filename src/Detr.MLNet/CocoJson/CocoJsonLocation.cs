using System.Globalization;

namespace Detr.MLNet.CocoJson;

/// <summary>
/// How messages name an entry of a COCO file: its array and position, and for an annotation its id, so the entry can
/// be found in the file either way.
/// </summary>
static class CocoJsonLocation
{
    /// <summary>The entry without its id (for an annotation whose fields cannot be read).</summary>
    public static string Of(CocoJsonEntryKind kind, int index) => kind switch
    {
        CocoJsonEntryKind.Image => Image(index),
        CocoJsonEntryKind.Category => Category(index),
        CocoJsonEntryKind.Result => Result(index),
        _ => Annotation(index, null),
    };

    public static string Image(int index) => $"image {index}";

    public static string Category(int index) => $"category {index}";

    public static string Result(int index) => $"result {index}";

    public static string Annotation(int index, double? id) =>
        id is double value ? $"annotation {index} (id {value.ToString(CultureInfo.InvariantCulture)})" : $"annotation {index}";
}
