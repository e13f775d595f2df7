namespace Detr.MLNet.CocoJson;

/// <summary>
/// <see cref="CocoJsonRules.IdsMustAgree"/>: unique ids, and annotations only on listed images and categories. Checked
/// once the whole file is read, since its arrays may come in any order.
/// </summary>
static class CocoJsonIdChecks
{
    public static void Check(CocoAnnotationFile file, string path)
    {
        var categoryIds = new HashSet<int>();
        foreach (var (category, index) in (file.Categories ?? []).Select((c, i) => (c, i)))
        {
            if (!categoryIds.Add(category.Id))
                throw new InvalidDataException($"'{path}': {CocoJsonLocation.Category(index)} repeats category id {category.Id}.");
        }

        var imageIds = new HashSet<int>();
        foreach (var (image, index) in file.Images.Select((e, i) => (e, i)))
        {
            if (!imageIds.Add(image.Id))
                throw new InvalidDataException($"'{path}': {CocoJsonLocation.Image(index)} repeats image id {image.Id}.");
        }

        var annotationIds = new HashSet<double>();
        foreach (var (annotation, index) in file.Annotations.Select((a, i) => (a, i)))
        {
            string where = $"'{path}': {CocoJsonLocation.Annotation(index, annotation.Id)}";
            if (annotation.Id is double id && !annotationIds.Add(id))
                throw new InvalidDataException($"{where} repeats annotation id {annotation.Id}.");
            if (!categoryIds.Contains(annotation.Box.CategoryId))
                throw new InvalidDataException($"{where} has category_id {annotation.Box.CategoryId}, which 'categories' does not list.");
            if (!imageIds.Contains(annotation.Box.ImageId))
                throw new InvalidDataException($"{where} refers to image_id {annotation.Box.ImageId}, which 'images' does not list.");
        }
    }
}
