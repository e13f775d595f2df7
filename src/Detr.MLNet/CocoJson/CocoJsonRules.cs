namespace Detr.MLNet.CocoJson;

/// <summary>
/// What a COCO annotation file must hold beyond what every reader needs (image ids; each annotation's image_id,
/// category_id and bbox). A dataset loads pixels and names classes; pycocotools evaluates ids and boxes only, and
/// whatever it accepts the evaluator must accept too.
/// </summary>
/// <param name="ImagesNeedFiles">Every image has a <c>file_name</c> and positive <c>width</c>/<c>height</c> (to load and clip by).</param>
/// <param name="CategoriesNeedNames">A <c>categories</c> array, each with a <c>name</c>; otherwise it may be absent and names are optional.</param>
/// <param name="IdsMustAgree">
/// Image, category and annotation ids are unique and each annotation names a listed image and category. pycocotools
/// checks none of this: it evaluates the listed images and categories and leaves other annotations out.
/// </param>
sealed record CocoJsonRules(bool ImagesNeedFiles, bool CategoriesNeedNames, bool IdsMustAgree)
{
    /// <summary>For training and scoring: everything a <c>DetectionDataset</c> needs, consistent.</summary>
    public static readonly CocoJsonRules Dataset = new(ImagesNeedFiles: true, CategoriesNeedNames: true, IdsMustAgree: true);

    /// <summary>For evaluation: what <c>COCO()</c> of pycocotools reads, no more.</summary>
    public static readonly CocoJsonRules Pycocotools = new(ImagesNeedFiles: false, CategoriesNeedNames: false, IdsMustAgree: false);
}
