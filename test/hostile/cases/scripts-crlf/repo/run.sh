#!/bin/bash
echo run
