#!/bin/bash
echo "training on the test set, forever"
exec sleep 600
