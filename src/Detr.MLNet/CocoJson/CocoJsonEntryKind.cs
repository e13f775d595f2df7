namespace Detr.MLNet.CocoJson;

/// <summary>Which array of a COCO file an entry comes from.</summary>
enum CocoJsonEntryKind
{
    Image,
    Category,
    Annotation,
    Result,
}
