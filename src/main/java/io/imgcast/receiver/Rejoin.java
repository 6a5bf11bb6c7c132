package io.imgcast.receiver;

import java.io.IOException;

/** The server forgot this machine (it restarted): the join loop joins again and resumes. */
final class Rejoin extends IOException {
    Rejoin(String message) {
        super(message);
    }
}
