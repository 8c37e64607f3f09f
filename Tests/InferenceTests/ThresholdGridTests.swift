import Inference
import Testing

@Suite struct ThresholdGridTests {
    @Test func quantileGridsLeaveOutEvenFractionsOfTheScores() {
        let text: [Float] = (1...8).map { Float($0) / 10 }           // 0.1 … 0.8
        let image: [Float] = [0, 0, 0, 0.2, 0.4, 0.6]                  // ties at 0
        let audio: [Float] = [0.05, 0.5]
        let grid = ThresholdGrid(scores: [text, image, audio], textPoints: 5, mediaPoints: 3, splitMedia: false)
        let below = grid.text.map { t in text.filter { $0 < t }.count }
        #expect(below == [0, 2, 4, 6, 8], "text thresholds \(grid.text) leave out \(below) of 8")
        #expect(grid.text.first == 0 && grid.text.last == ThresholdGrid.skipAll, "text grid ends \(grid.text)")
        // Pooled media scores (8): fractions 0, ½, 1; the three tied zeros cannot be split.
        let pooled = (image + audio).sorted()
        let mediaBelow = grid.image.map { t in pooled.filter { $0 < t }.count }
        #expect(mediaBelow == [0, 4, 8], "media thresholds \(grid.image) leave out \(mediaBelow) of 8")
        #expect(grid.audio == grid.image, "shared media grids differ: \(grid.image) vs \(grid.audio)")

        let split = ThresholdGrid(scores: [text, image, []], textPoints: 2, mediaPoints: 4, splitMedia: true)
        #expect(split.audio.allSatisfy { $0 == 0 }, "audio has no scores, so its thresholds should stay 0: \(split.audio)")
        let imageBelow = split.image.map { t in image.filter { $0 < t }.count }
        // Fractions 0, ⅓, ⅔, 1 of 6 → 0, 2 (3 with the tie), 4, 6.
        #expect(imageBelow == [0, 3, 4, 6], "split image thresholds \(split.image) leave out \(imageBelow) of 6")
        #expect(split.tau(text: 1, media: 2) == [ThresholdGrid.skipAll, split.image[2], 0], "tau \(split.tau(text: 1, media: 2))")
    }
}
