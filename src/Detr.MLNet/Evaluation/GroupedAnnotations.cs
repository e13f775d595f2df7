namespace Detr.MLNet.Evaluation;

/// <summary>
/// Ground truth and detections bucketed once into evaluation units — one (category, image) pair, or one image when
/// categories are pooled — each unit a contiguous slice of a flat array, so the hot loops never search or allocate.
/// Units are laid out category-major and images in ascending id order, which is the order pycocotools concatenates
/// per-image results in; that order decides how equal scores from different images rank.
/// </summary>
internal sealed class GroupedAnnotations
{
    private GroupedAnnotations(
        int imageCount,
        int categoryCount,
        CocoGroundTruthBox[] groundTruth,
        int[] groundTruthStart,
        CocoDetection[] detections,
        int[] detectionStart)
    {
        ImageCount = imageCount;
        CategoryCount = categoryCount;
        GroundTruth = groundTruth;
        GroundTruthStart = groundTruthStart;
        Detections = detections;
        DetectionStart = detectionStart;
    }

    /// <summary>Number of evaluated images I; each category owns I consecutive units.</summary>
    public int ImageCount { get; }

    /// <summary>Number of evaluated categories K (1 when categories are pooled).</summary>
    public int CategoryCount { get; }

    /// <summary>Ground truth ordered by unit; inside a unit, in input order (pycocotools keeps file order).</summary>
    public CocoGroundTruthBox[] GroundTruth { get; }

    /// <summary>Unit u's ground truth is <c>GroundTruth[GroundTruthStart[u]..GroundTruthStart[u + 1]]</c>.</summary>
    public int[] GroundTruthStart { get; }

    /// <summary>
    /// Detections ordered by unit; inside a unit in input order (with pooled categories, category by category in
    /// ascending id order, then input order): the order that decides ties between equal scores.
    /// </summary>
    public CocoDetection[] Detections { get; }

    /// <summary>Unit u's detections are <c>Detections[DetectionStart[u]..DetectionStart[u + 1]]</c>.</summary>
    public int[] DetectionStart { get; }

    /// <summary>
    /// Buckets the inputs. Boxes on images or categories not being evaluated are dropped, as pycocotools' getAnnIds
    /// filters them. With pooled categories a unit lists its boxes category by category in ascending id order, then in
    /// input order, matching pycocotools' <c>useCats=0</c> gathering.
    /// </summary>
    /// <param name="groundTruth">Ground truth in input order.</param>
    /// <param name="detections">Detections in input order.</param>
    /// <param name="sortedImageIds">The images evaluated, ascending.</param>
    /// <param name="sortedCategoryIds">The categories evaluated, ascending.</param>
    /// <param name="useCategories">False pools the categories of an image into one unit.</param>
    /// <param name="unknownDetectionImage">
    /// Told the index and image id of each detection on an image that is not evaluated, before it is dropped; it may
    /// throw to refuse the detection.
    /// </param>
    public static GroupedAnnotations Build(
        ReadOnlySpan<CocoGroundTruthBox> groundTruth,
        ReadOnlySpan<CocoDetection> detections,
        int[] sortedImageIds,
        int[] sortedCategoryIds,
        bool useCategories,
        Action<int, int>? unknownDetectionImage = null)
    {
        var layout = new UnitLayout(sortedImageIds, sortedCategoryIds, useCategories);

        var gtKeys = new int[groundTruth.Length];
        for (int i = 0; i < gtKeys.Length; i++)
        {
            gtKeys[i] = layout.KeyOfIds(groundTruth[i].ImageId, groundTruth[i].CategoryId);
        }

        var (gtOrder, gtKeyStart) = CountingSort(gtKeys, layout.KeyCount);
        var sortedGroundTruth = new CocoGroundTruthBox[gtOrder.Length];
        for (int i = 0; i < gtOrder.Length; i++)
        {
            sortedGroundTruth[i] = groundTruth[gtOrder[i]];
        }

        var dtKeys = new int[detections.Length];
        for (int i = 0; i < dtKeys.Length; i++)
        {
            int image = layout.ImageOf(detections[i].ImageId);
            if (image < 0)
            {
                unknownDetectionImage?.Invoke(i, detections[i].ImageId);
                dtKeys[i] = -1;
                continue;
            }

            dtKeys[i] = layout.KeyOf(image, detections[i].CategoryId);
        }

        var (dtOrder, dtKeyStart) = CountingSort(dtKeys, layout.KeyCount);
        var sortedDetections = new CocoDetection[dtOrder.Length];
        for (int i = 0; i < dtOrder.Length; i++)
        {
            sortedDetections[i] = detections[dtOrder[i]];
        }

        int unitCount = layout.UnitCount;
        var groundTruthStart = new int[unitCount + 1];
        var detectionStart = new int[unitCount + 1];
        for (int unit = 0; unit <= unitCount; unit++)
        {
            groundTruthStart[unit] = gtKeyStart[unit * layout.KeysPerUnit];
            detectionStart[unit] = dtKeyStart[unit * layout.KeysPerUnit];
        }

        return new GroupedAnnotations(
            layout.ImageCount,
            layout.CategoryCount,
            sortedGroundTruth,
            groundTruthStart,
            sortedDetections,
            detectionStart);
    }

    /// <summary>Stable counting sort of item indices by key; key -1 drops the item. Returns order and key starts.</summary>
    private static (int[] Order, int[] KeyStart) CountingSort(int[] keys, int keyCount)
    {
        var keyStart = new int[keyCount + 1];
        int keptCount = 0;
        foreach (int key in keys)
        {
            if (key >= 0)
            {
                keyStart[key + 1]++;
                keptCount++;
            }
        }

        for (int k = 0; k < keyCount; k++)
        {
            keyStart[k + 1] += keyStart[k];
        }

        var order = new int[keptCount];
        var next = (int[])keyStart.Clone();
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] >= 0)
            {
                order[next[keys[i]]++] = i;
            }
        }

        return (order, keyStart);
    }

    /// <summary>Maps (image id, category id) to a bucket key whose ranges of <see cref="KeysPerUnit"/> form the units.</summary>
    private sealed class UnitLayout
    {
        private readonly IdIndex _imageIndex;
        private readonly IdIndex _categoryIndex;
        private readonly bool _useCategories;

        public UnitLayout(int[] sortedImageIds, int[] sortedCategoryIds, bool useCategories)
        {
            _imageIndex = new IdIndex(sortedImageIds);
            _categoryIndex = new IdIndex(sortedCategoryIds);
            _useCategories = useCategories;
            ImageCount = sortedImageIds.Length;
            CategoryCount = useCategories ? sortedCategoryIds.Length : 1;
            KeysPerUnit = useCategories ? 1 : sortedCategoryIds.Length;
            UnitCount = useCategories ? checked(sortedCategoryIds.Length * ImageCount) : ImageCount;
            KeyCount = checked(sortedCategoryIds.Length * ImageCount);
        }

        public int ImageCount { get; }

        public int CategoryCount { get; }

        public int KeysPerUnit { get; }

        public int UnitCount { get; }

        public int KeyCount { get; }

        /// <summary>The image's position among the evaluated images, or -1.</summary>
        public int ImageOf(int imageId) => _imageIndex.Find(imageId);

        /// <summary>The key of a box by its ids, or -1 when its image or category is not evaluated.</summary>
        public int KeyOfIds(int imageId, int categoryId)
        {
            int image = _imageIndex.Find(imageId);
            return image < 0 ? -1 : KeyOf(image, categoryId);
        }

        /// <summary>The key of a box on the image at position <paramref name="image"/>, or -1 for a category not evaluated.</summary>
        public int KeyOf(int image, int categoryId)
        {
            int category = _categoryIndex.Find(categoryId);
            if (category < 0)
            {
                return -1;
            }

            // Category-major when categories are kept apart (a category's images are then adjacent); image-major when
            // pooled (an image's categories are adjacent and form one unit).
            return _useCategories ? category * ImageCount + image : image * KeysPerUnit + category;
        }
    }
}
