using Detr.MLNet.Evaluation;

namespace Detr.MLNet.CocoJson;

/// <summary>What each kind of COCO entry must hold, and the defaults pycocotools applies to what it may leave out.</summary>
static class CocoJsonEntries
{
    public static CocoJsonImage Image(in CocoJsonObject entry, CocoJsonRules rules)
    {
        int id = entry.RequiredInt(CocoJsonField.Id);
        if (!rules.ImagesNeedFiles)
            return new CocoJsonImage(id, null, 0, 0);
        return new CocoJsonImage(id, entry.RequiredString(CocoJsonField.FileName),
            entry.RequiredPositiveInt(CocoJsonField.Width), entry.RequiredPositiveInt(CocoJsonField.Height));
    }

    public static CocoJsonCategory Category(in CocoJsonObject entry, CocoJsonRules rules) =>
        new(entry.RequiredInt(CocoJsonField.Id),
            rules.CategoriesNeedNames ? entry.RequiredString(CocoJsonField.Name) : entry.StringOrNull(CocoJsonField.Name));

    /// <summary>
    /// <c>image_id</c>, <c>category_id</c> and <c>bbox</c> required; <c>area</c> defaults to bbox width × height,
    /// <c>iscrowd</c> to 0. <c>ignore</c> is not read: pycocotools overwrites it with <c>iscrowd</c> before evaluating.
    /// </summary>
    public static CocoJsonAnnotation Annotation(in CocoJsonObject entry)
    {
        int imageId = entry.RequiredInt(CocoJsonField.ImageId);
        int categoryId = entry.RequiredInt(CocoJsonField.CategoryId);
        var (x, y, w, h) = entry.RequiredBox();
        double area = entry.OptionalDouble(CocoJsonField.Area) ?? w * h;
        bool isCrowd = entry.Flag(CocoJsonField.IsCrowd);
        double? id = entry.NumberOrNull(CocoJsonField.Id);
        return new CocoJsonAnnotation(new CocoGroundTruthBox(imageId, categoryId, x, y, w, h, area, isCrowd) { HasAnnotationIdZero = id == 0 }, id);
    }

    /// <summary>
    /// All of <c>image_id</c>, <c>category_id</c>, <c>bbox</c> and <c>score</c>. Other fields (<c>area</c>, <c>id</c>,
    /// <c>segmentation</c>) are ignored: pycocotools' loadRes recomputes area as w × h, numbers results itself and
    /// treats none as crowd.
    /// </summary>
    public static CocoDetection Result(in CocoJsonObject entry)
    {
        int imageId = entry.RequiredInt(CocoJsonField.ImageId);
        int categoryId = entry.RequiredInt(CocoJsonField.CategoryId);
        var (x, y, w, h) = entry.RequiredBox();
        return new CocoDetection(imageId, categoryId, x, y, w, h, entry.RequiredDouble(CocoJsonField.Score));
    }
}
