package org.retinanet4j.data;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A thousand skipped images give a handful of log lines: the first five by name, then one summary with the count. */
class SkippedImagesTest {

    @Test
    void theFirstFiveAreNamedAndTheRestSummarised() {
        Logger logger = (Logger) LoggerFactory.getLogger("SkippedImagesTest");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        SkippedImages skipped = new SkippedImages(logger);
        for (int i = 1; i <= 1000; i++) {
            skipped.skipped(String.format("%06d.png", i), i, "image file not found");
        }
        skipped.summarise("epoch 0 of instances_train.json");
        List<String> messages = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(7, messages.size(), String.join("\n", messages));
        for (int i = 0; i < 5; i++) {
            assertEquals(String.format("skipping image %06d.png (id %d): image file not found", i + 1, i + 1),
                    messages.get(i));
        }
        assertTrue(messages.get(5).startsWith("more images are being skipped"), messages.get(5));
        assertEquals("epoch 0 of instances_train.json: 1000 images skipped (missing, unreadable or not of the "
                + "annotated size), first: 000001.png, 000002.png, 000003.png, 000004.png, 000005.png, ...",
                messages.get(6));
        assertEquals(1000, skipped.total());

        skipped.summarise("epoch 1");   // nothing new: no line
        skipped.skipped("a.png", 1, "unreadable");
        skipped.summarise("epoch 2");
        assertEquals(9, lines.list.size(), "after a summary the next skip is named again, then summarised");
        assertTrue(lines.list.get(8).getFormattedMessage().startsWith("epoch 2: 1 image skipped"));
        assertEquals(1001, skipped.total());
    }
}
